package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"tally/electoral"
)

// TestSeatsScripts runs testdata/script/seats*.txtar. Where the package's
// TestMain registers the tally program, scripts run it as a subprocess;
// otherwise the "tally" command below runs it in-process. testscript
// cannot tell one failing exit code from another, so TestSeatsExitCodes
// checks the codes.
func TestSeatsScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/script/seats*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seats scripts found: %v", err)
	}
	testscript.Run(t, testscript.Params{
		Files: files,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"tally": func(ts *testscript.TestScript, neg bool, args []string) {
				code := Main(context.Background(), scriptPaths(ts, args), ts.Stdout(), ts.Stderr(), ts.Getenv)
				if neg && code == 0 {
					ts.Fatalf("tally succeeded, want a failure")
				}
				if !neg && code != 0 {
					ts.Fatalf("tally exited %d, want 0", code)
				}
			},
		},
	})
}

// scriptPaths makes the file arguments absolute in the script's work
// folder: in-process, relative paths would be taken from the test's own
// folder. Files are the values of -o and --trace-json and the arguments
// ending in .csv.
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

// The seats*.txtar scenarios run under TestScripts with the other CLI
// scripts; testscript cannot tell one failing exit code from another, so
// the codes are checked here, in-process, on the same kind of input.
func TestSeatsExitCodes(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"kz.csv":     "party,votes,seats\nNur Otan,5148074,76\nAk Zhol,792828,12\nPeople's Party of Kazakhstan,659019,10\nAuyl,383023,0\nAdal,258618,0\n",
		"kz-bad.csv": "party,votes,seats\nNur Otan,5148074,76\nAk Zhol,792828,11\nPeople's Party of Kazakhstan,659019,10\nAuyl,383023,0\nAdal,258618,0\n",
		"broken.csv": "party,votes\nA,10\n\"B,20\nC,5\n",
		"tie.csv":    "party,votes\nZed,100\nAmy,100\nBob,50\n",
		"dup.csv":    "party,votes\nA,1\nB,2\nA,3\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kz := []string{"--seats", "98", "--method", "hare", "--threshold", "7", "--valid-votes", "7241562", "--min-qualified", "2"}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"kz 2021", append([]string{"kz.csv"}, kz...), ExitOK, ""},
		{"declared mismatch", append([]string{"kz-bad.csv"}, kz...), ExitFindings, `kz-bad.csv::3:3: error seats-mismatch: party "Ak Zhol": declared 11 seats, computed 12`},
		{"mismatch, fail-on never", append([]string{"kz-bad.csv", "--fail-on", "never"}, kz...), ExitOK, "seats-mismatch"},
		{"bad method", []string{"kz.csv", "--seats", "98", "--method", "borda"}, ExitUsage, `unknown method "borda"`},
		{"bad fail-on", []string{"kz.csv", "--seats", "98", "--method", "hare", "--fail-on", "sometimes"}, ExitUsage, "--fail-on"},
		{"no seats", []string{"kz.csv", "--method", "hare"}, ExitUsage, "--seats is required"},
		{"valid below lists", []string{"kz.csv", "--seats", "98", "--method", "hare", "--valid-votes", "10"}, ExitUsage, "valid votes 10 are fewer"},
		{"malformed csv", []string{"broken.csv", "--seats", "3", "--method", "dhondt"}, ExitInput, `broken.csv::4:5: extraneous or missing " in quoted-field (record starts on row 3)`},
		{"missing file", []string{"nothere.csv", "--seats", "3", "--method", "dhondt"}, ExitInput, "nothere.csv: no such file or directory"},
		{"duplicate party", []string{"dup.csv", "--seats", "3", "--method", "dhondt"}, ExitInput, `dup.csv::4:1: party "A" repeats row 2`},
		{"unresolved tie", []string{"tie.csv", "--seats", "3", "--method", "dhondt"}, ExitFindings, "seats-not-allocated"},
		{"tie by order", []string{"tie.csv", "--seats", "3", "--method", "dhondt", "--tie-break", "order"}, ExitOK, "warning seats-tie"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"seats"}, tc.args...)
			args[1] = filepath.Join(dir, args[1])
			var out, errb bytes.Buffer
			code := Main(context.Background(), args, &out, &errb, func(string) string { return "" })
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errb.String())
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errb.String())
			}
			if tc.stderr == "" && errb.Len() > 0 {
				t.Errorf("stderr not empty:\n%s", errb.String())
			}
		})
	}
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
