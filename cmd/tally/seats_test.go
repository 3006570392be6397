package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"tally/electoral"
)

// TestSeatsScripts runs testdata/script/seats*.txtar. The scripts call
// tally in-process through the custom command "tally" (prefix "!" when it
// must fail) and check the exit code of the last call with "status N".
func TestSeatsScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/script/seats*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seats scripts found: %v", err)
	}
	testscript.Run(t, testscript.Params{
		Files: files,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"tally": func(ts *testscript.TestScript, neg bool, args []string) {
				code := Main(context.Background(), scriptPaths(ts, args), ts.Stdout(), ts.Stderr(), func(k string) string {
					return ts.Getenv(k)
				})
				ts.Setenv("TALLY_EXIT", strconv.Itoa(code))
				if neg && code == 0 {
					ts.Fatalf("tally succeeded, want a failure")
				}
				if !neg && code != 0 {
					ts.Fatalf("tally exited %d, want 0", code)
				}
			},
			"status": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: status N")
				}
				if got := ts.Getenv("TALLY_EXIT"); got != args[0] {
					ts.Fatalf("tally exited %s, want %s", got, args[0])
				}
			},
		},
	})
}

// scriptPaths makes the file arguments absolute in the script's work
// folder: tally runs in-process, where relative paths would be taken from
// the test's own folder. Files are the values of -o and --trace-json and
// the arguments ending in .csv.
func scriptPaths(ts *testscript.TestScript, args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		fileFlag := i > 0 && (out[i-1] == "-o" || out[i-1] == "--output" || out[i-1] == "--trace-json")
		if fileFlag || (!strings.HasPrefix(a, "-") && strings.HasSuffix(a, ".csv")) {
			out[i] = ts.MkAbs(a)
		}
	}
	return out
}

func TestPartyIDs(t *testing.T) {
	got := partyIDs([]electoral.PartyResult{{Name: "Nur Otan"}, {Name: "«Нур Отан»"}, {Name: "A.B"}, {Name: "A B"}, {Name: "!!"}})
	want := []string{"nur-otan", "nur-otan-2", "a-b", "a-b-2", "party"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("partyIDs = %v, want %v", got, want)
	}
}

func TestDecodeText(t *testing.T) {
	// "партия,голоса" in Windows-1251 with enough Cyrillic for the detector.
	cp1251 := []byte{0xef, 0xe0, 0xf0, 0xf2, 0xe8, 0xff, ',', 0xe3, 0xee, 0xeb, 0xee, 0xf1, 0xe0, '\n'}
	for name, in := range map[string][]byte{
		"bom":    append([]byte{0xef, 0xbb, 0xbf}, "party,votes\n"...),
		"utf-16": {0xff, 0xfe, 'p', 0, 'a', 0, 'r', 0, 't', 0, 'y', 0, ',', 0, 'v', 0, 'o', 0, 't', 0, 'e', 0, 's', 0, '\n', 0},
	} {
		out, err := decodeText(in)
		if err != nil || string(out) != "party,votes\n" {
			t.Errorf("%s: decodeText = %q, %v", name, out, err)
		}
	}
	out, err := decodeText(cp1251)
	if err != nil || string(out) != "партия,голоса\n" {
		t.Errorf("cp1251: decodeText = %q, %v", out, err)
	}
}
