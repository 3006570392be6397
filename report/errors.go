package report

import "errors"

// Fatal errors fall in two classes that the command line maps to exit codes:
// a problem with what the user asked for (a bad spec, a bad flag: exit 2)
// and an input that cannot be read at all (exit 3). Packages mark an error
// with UsageError or InputError where they detect it; everything wrapping it
// later keeps the class.

type classError struct {
	class error
	err   error
}

func (e *classError) Error() string   { return e.err.Error() }
func (e *classError) Unwrap() []error { return []error{e.err, e.class} }

// ErrUsage is the class of errors caused by a bad spec, flag or argument.
var ErrUsage = errors.New("usage")

// ErrInput is the class of errors caused by an input that cannot be read.
var ErrInput = errors.New("input")

// UsageError marks err as a usage or spec error (exit 2). Nil stays nil.
func UsageError(err error) error {
	if err == nil {
		return nil
	}
	return &classError{class: ErrUsage, err: err}
}

// InputError marks err as an unreadable-input error (exit 3). Nil stays nil.
func InputError(err error) error {
	if err == nil {
		return nil
	}
	return &classError{class: ErrInput, err: err}
}
