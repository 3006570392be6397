//go:build !linux

package sinks

// exchange is not available here; Commit renames in two steps.
func exchange(a, b string) error { return errNoExchange }
