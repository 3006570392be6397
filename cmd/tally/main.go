// Command tally turns published election result sheets into validated,
// tidy, typed tables. See README.md for the commands, the spec format and
// the exit codes; `tally help` for the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainExit())
}

func mainExit() int {
	tuneGC(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
}
