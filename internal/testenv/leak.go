package testenv

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// LeakOptions are the goroutines goleak ignores in gotio's tests, with
// extra: the process-wide pollers and worker pools of netpoll (and of
// gnet's ants pool, loaded with the gotio_gnet tag), which live as long as
// the process by design. Everything else a test leaves running fails it.
func LeakOptions(extra ...goleak.Option) []goleak.Option {
	return append([]goleak.Option{
		goleak.IgnoreAnyFunction("github.com/cloudwego/netpoll.(*defaultPoll).Wait"),
		goleak.IgnoreAnyFunction("github.com/bytedance/gopkg/util/gopool.(*worker).run.func1"),
		goleak.IgnoreAnyFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
		goleak.IgnoreAnyFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
	}, extra...)
}

// VerifyNoLeaks is a TestMain: it runs m and fails the package when a
// goroutine outlives its tests (no goroutine outlives a closed server).
func VerifyNoLeaks(m *testing.M, extra ...goleak.Option) {
	goleak.VerifyTestMain(m, LeakOptions(extra...)...)
}

// WaitFor polls cond every 2 ms until it holds, and fails the test after
// 10 s, naming what it waited for.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
