//go:build race

package socketio

// raceEnabled: under the race detector sync.Pool (which encoding/json's
// json.Valid draws its scanner from) drops some of what it is given on
// purpose, so the zero-allocation paths allocate now and then.
const raceEnabled = true
