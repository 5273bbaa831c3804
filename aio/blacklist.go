package aio

import "time"

// Blacklist refuses connections from ip for ttl (forever when ttl <= 0) and
// closes the open ones with ErrBlacklisted.
func (s *Server) Blacklist(ip string, ttl time.Duration) {
	until := time.Time{}
	if ttl > 0 {
		until = time.Now().Add(ttl)
	}
	s.blMu.Lock()
	if s.blacklist == nil {
		s.blacklist = make(map[string]time.Time)
	}
	s.blacklist[ip] = until
	s.blMu.Unlock()
	for _, c := range s.Conns(IP(ip)) {
		c.Close(ErrBlacklisted)
	}
}

// Unblacklist lets ip connect again.
func (s *Server) Unblacklist(ip string) {
	s.blMu.Lock()
	delete(s.blacklist, ip)
	s.blMu.Unlock()
}

func (s *Server) blacklisted(ip string) bool {
	s.blMu.Lock()
	defer s.blMu.Unlock()
	return s.blacklistedLocked(ip)
}

func (s *Server) blacklistedLocked(ip string) bool {
	until, ok := s.blacklist[ip]
	if !ok {
		return false
	}
	if !until.IsZero() && time.Now().After(until) {
		delete(s.blacklist, ip)
		return false
	}
	return true
}
