package client_test

import (
	"net"
	"testing"

	"github.com/gotio/gotio/aio"
	"github.com/gotio/gotio/internal/aiotest"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

var transports = aiotest.Transports

// waitFor is testenv.WaitFor: a hang guard, not a timing assertion.
var waitFor = testenv.WaitFor

func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// keyCount returns how many keys of kind s has bound.
func keyCount(s *aio.Server, kind aio.TargetKind) int {
	_, n := s.Keys(kind, 0, 1)
	return n
}
