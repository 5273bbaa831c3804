package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// SessionBucket creates, or opens when it exists, the application's
// session bucket in NATS JetStream: "gotio_<app>_sessions", file storage,
// one replica, one revision per key. For a replicated bucket on a NATS
// cluster, create your own with jetstream.New(bus.Conn()) and pass it to
// NewDirectory.
func (b *NATS) SessionBucket(ctx context.Context) (jetstream.KeyValue, error) {
	js, err := jetstream.New(b.nc)
	if err != nil {
		return nil, fmt.Errorf("cluster: jetstream: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      "gotio_" + b.cfg.App + "_sessions",
		Description: "gotio unique-login directory: user → node and connection",
		History:     1,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: session bucket: %w", err)
	}
	return kv, nil
}

// KVDirectory is a Directory kept in a NATS JetStream key-value bucket, so
// that every node sees one claim per user. A claim is made with the
// bucket's atomic Create; replacing a claim (a stale one, or under
// KickOld) is an Update conditional on the revision that was read; Logout
// deletes only the revision that holds its own session. Kicks and probes
// travel to the old session's node on its control subject.
//
// Keys are users in unpadded base64url ("_" for ""); values are JSON
// {"node": id, "conn": n}. Create it with NewDirectory.
type KVDirectory struct {
	kv     jetstream.KeyValue
	bus    *NATS
	ctl    controller
	policy Policy
	reason string
}

var _ Directory = (*KVDirectory)(nil)

// NewDirectory returns a directory kept in kv (see NATS.SessionBucket),
// reaching old sessions through bus.
func NewDirectory(bus *NATS, kv jetstream.KeyValue, policy Policy) *KVDirectory {
	return &KVDirectory{kv: kv, bus: bus, ctl: bus, policy: policy, reason: DefaultKickReason}
}

// ready fails fast while the bus is disconnected, rather than wait on
// nats.go's connection lock through a reconnect attempt.
func (d *KVDirectory) ready(op, user string) error {
	if !d.bus.Connected() {
		return fmt.Errorf("cluster: %s %q: %w", op, user, ErrDisconnected)
	}
	return nil
}

// Login claims user for s under the directory's policy.
func (d *KVDirectory) Login(ctx context.Context, user string, s Location) (ok, kickedOld bool, err error) {
	if err := d.ready("login", user); err != nil {
		return false, false, err
	}
	key := escapeKey(user)
	val, err := json.Marshal(s)
	if err != nil {
		return false, false, fmt.Errorf("cluster: login %q: %w", user, err)
	}
	for range maxLoginAttempts {
		if _, err := d.kv.Create(ctx, key, val); err == nil {
			return true, false, nil
		} else if !errors.Is(err, jetstream.ErrKeyExists) {
			return false, false, fmt.Errorf("cluster: login %q: claim: %w", user, err)
		}
		e, err := d.kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // logged out meanwhile: claim again
		}
		if err != nil {
			return false, false, fmt.Errorf("cluster: login %q: read claim: %w", user, err)
		}
		var old Location
		if json.Unmarshal(e.Value(), &old) != nil {
			old = Location{} // unreadable: treated as stale
		}
		if old == s {
			return true, false, nil
		}
		if d.policy == RejectNew && old.Node != "" {
			alive, err := d.ctl.probe(ctx, old)
			if err != nil {
				return false, false, fmt.Errorf("cluster: login %q: %w", user, err)
			}
			if alive {
				return false, false, nil
			}
		}
		if _, err := d.kv.Update(ctx, key, val, e.Revision()); err != nil {
			if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
				continue // someone else changed the claim: decide again
			}
			return false, false, fmt.Errorf("cluster: login %q: replace claim: %w", user, err)
		}
		if d.policy == KickOld && old.Node != "" {
			// A kick that fails is counted by the bus; the claim stands.
			kicked, _ := d.ctl.kick(ctx, old, d.reason)
			return true, kicked, nil
		}
		return true, false, nil
	}
	return false, false, fmt.Errorf("cluster: login %q: %w", user, ErrContention)
}

// Logout releases user if s holds it.
func (d *KVDirectory) Logout(ctx context.Context, user string, s Location) error {
	if err := d.ready("logout", user); err != nil {
		return err
	}
	key := escapeKey(user)
	e, err := d.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cluster: logout %q: %w", user, err)
	}
	var cur Location
	if json.Unmarshal(e.Value(), &cur) != nil || cur != s {
		return nil // another session's claim
	}
	err = d.kv.Delete(ctx, key, jetstream.LastRevision(e.Revision()))
	if err != nil && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return fmt.Errorf("cluster: logout %q: %w", user, err)
	}
	return nil
}

// Lookup returns the session holding user.
func (d *KVDirectory) Lookup(ctx context.Context, user string) (Location, bool, error) {
	if err := d.ready("lookup", user); err != nil {
		return Location{}, false, err
	}
	e, err := d.kv.Get(ctx, escapeKey(user))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Location{}, false, nil
	}
	if err != nil {
		return Location{}, false, fmt.Errorf("cluster: lookup %q: %w", user, err)
	}
	var s Location
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return Location{}, false, fmt.Errorf("cluster: lookup %q: %w", user, err)
	}
	return s, true, nil
}
