package client

// Hooks for the external tests: what they count but users need not see.

// DialLoops returns how many dial loops c runs now (never more than one).
func DialLoops(c *Client) int32 { return c.dialLoops.Load() }
