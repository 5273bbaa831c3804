package client_test

import (
	"testing"

	"github.com/gotio/gotio/internal/aiotest"
	"github.com/gotio/gotio/internal/testenv"
)

func TestMain(m *testing.M) { testenv.VerifyNoLeaks(m) }

var transports = aiotest.Transports

// waitFor is testenv.WaitFor: a hang guard, not a timing assertion.
var waitFor = testenv.WaitFor

// listenLoopback is testenv.Listen.
var listenLoopback = testenv.Listen

// keyCount is aiotest.KeyCount.
var keyCount = aiotest.KeyCount
