package pipeline

import (
	"errors"
	"strconv"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in       string
		hint     NumberHint
		value    float64
		missing  bool
		percent  bool
		decimals int
	}{
		{"5148074", HintCount, 5148074, false, false, 0},
		{"5,148,074", HintCount, 5148074, false, false, 0},
		{"5.148.074", HintCount, 5148074, false, false, 0},
		{"5 148 074", HintCount, 5148074, false, false, 0},
		{"5\u00a0148\u00a0074", HintCount, 5148074, false, false, 0},
		{"5\u202f148\u202f074", HintCount, 5148074, false, false, 0},
		{"5'148'074", HintCount, 5148074, false, false, 0},
		{"1,234", HintCount, 1234, false, false, 0},
		{"1,234", HintShare, 1.234, false, false, 3},
		{"71,09", HintShare, 71.09, false, false, 2},
		{"71,09%", HintShare, 71.09, false, true, 2},
		{"71.09 %", HintShare, 71.09, false, true, 2},
		{"1.234,5", HintCount, 1234.5, false, false, 1},
		{"1,234.5", HintCount, 1234.5, false, false, 1},
		{"1 234,56", HintShare, 1234.56, false, false, 2},
		{"0.7109", HintShare, 0.7109, false, false, 4},
		{"1.2E+7", HintCount, 12000000, false, false, 0},
		{"-12", HintCount, -12, false, false, 0},
		{"+12", HintCount, 12, false, false, 0},
		{"", HintCount, 0, true, false, 0},
		{" - ", HintCount, 0, true, false, 0},
		{"–", HintCount, 0, true, false, 0},
		{".5", HintShare, 0.5, false, false, 1},
	}
	for _, tc := range tests {
		n, err := ParseNumber(tc.in, tc.hint)
		if err != nil {
			t.Errorf("ParseNumber(%q) error %v", tc.in, err)
			continue
		}
		if n.Missing != tc.missing || n.Value != tc.value || n.Percent != tc.percent || n.Decimals != tc.decimals {
			t.Errorf("ParseNumber(%q) = %+v, want value %v missing %v percent %v decimals %d", tc.in, n, tc.value, tc.missing, tc.percent, tc.decimals)
		}
	}
}

func TestParseNumberRejects(t *testing.T) {
	for _, in := range []string{"abc", "12a", "1,2,3", "1.23.4", "12,", "1  234", "--5", "1,23,456", "%", "1e", "Nur Otan"} {
		if n, err := ParseNumber(in, HintCount); !errors.Is(err, ErrNotANumber) {
			t.Errorf("ParseNumber(%q) = %+v, %v; want ErrNotANumber", in, n, err)
		}
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"5,148,074", "71,09%", "1 234,5", "-", "1.2E+7", "0.7109", "1'234", "–12"} {
		f.Add(s)
	}
	for _, s := range []string{"216 - 17.73%", "1 234 (5,6 %)", "12,", "1.2.3", "—", "%5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Invariants: never panics; a parsed whole number has Int == Value;
		// a missing figure is never also a value; an error is always
		// ErrNotANumber; a number printed back in plain form reads the same.
		for _, h := range []NumberHint{HintCount, HintShare} {
			n, err := ParseNumber(s, h)
			if err != nil {
				if !errors.Is(err, ErrNotANumber) {
					t.Fatalf("ParseNumber(%q): error %v is not ErrNotANumber", s, err)
				}
				continue
			}
			if n.Whole && float64(n.Int) != n.Value {
				t.Fatalf("ParseNumber(%q): Int %d != Value %v", s, n.Int, n.Value)
			}
			if n.Missing && (n.Value != 0 || n.Percent) {
				t.Fatalf("ParseNumber(%q) = %+v: missing with a value", s, n)
			}
			if !n.Missing && n.Whole {
				back, err := ParseNumber(strconv.FormatInt(n.Int, 10), HintCount)
				if err != nil || back.Int != n.Int {
					t.Fatalf("ParseNumber(%q) = %d, but its plain form reads %+v, %v", s, n.Int, back, err)
				}
			}
		}
		for _, parse := range []func(string) (Number, error){ParseCount, ParseShare} {
			if _, err := parse(s); err != nil && !errors.Is(err, ErrNotANumber) {
				t.Fatalf("%q: error %v is not ErrNotANumber", s, err)
			}
		}
	})
}
