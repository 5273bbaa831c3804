// Package interop holds gotio's tests against Go clients that other
// projects wrote and pomelo users ship: pitaya's client (package pitaya)
// talking to a gotio server over pomelo's protocol. It is a module of its
// own so that those clients and their dependencies stay out of gotio's
// go.mod; .ci/test runs it. docs/protocol-pomelo.md lists what is tested.
package interop
