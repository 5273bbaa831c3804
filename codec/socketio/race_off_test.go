//go:build !race

package socketio

const raceEnabled = false
