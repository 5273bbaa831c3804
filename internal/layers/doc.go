// Package layers holds the test that keeps gotio's packages in the layer
// order of docs/architecture.md: a package imports only packages of its
// own layer or below.
package layers
