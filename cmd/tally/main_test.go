package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files and testscript expectations")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tally": func() { os.Exit(mainExit()) },
	})
}

func kzDir(t testing.TB) string {
	d, err := filepath.Abs("../../testdata/kz-2021")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestScripts runs the CLI scenarios in testdata/script (but seats*.txtar,
// which TestSeatsScripts runs with its own commands). $KZ is the demo's
// folder.
func TestScripts(t *testing.T) {
	all, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range all {
		if !strings.HasPrefix(filepath.Base(f), "seats") {
			files = append(files, f)
		}
	}
	testscript.Run(t, testscript.Params{
		Files:         files,
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("KZ", kzDir(t))
			return nil
		},
	})
}

// call runs tally in-process and returns the exit code and both streams.
func call(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

// Every exit code, with the one-line message that goes with it.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	kz := kzDir(t)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	spec, _ := os.ReadFile(filepath.Join(kz, "pipeline.yaml"))
	csv, _ := os.ReadFile(filepath.Join(kz, "protocol-long.csv"))
	good := write("pipeline.yaml", string(spec))
	write("protocol-long.csv", string(csv))
	badSum := write("sum.yaml", strings.Replace(string(spec), "protocol-long.csv", "sum.csv", 1))
	write("sum.csv", strings.Replace(string(csv), ",Auyl,383023,", ",Auyl,383123,", 1))
	unclosed := write("unclosed.yaml", strings.Replace(string(spec), "protocol-long.csv", "unclosed.csv", 1))
	write("unclosed.csv", strings.Replace(string(csv), ",Nur Otan,", ",\"Nur Otan,", 1))
	typo := write("typo.yaml", strings.Replace(string(spec), "threshold:", "treshold:", 1))
	missing := write("missing.yaml", strings.Replace(string(spec), "protocol-long.csv", "nowhere.csv", 1))
	noSheet := write("nosheet.yaml", strings.Replace(strings.Replace(string(spec), "protocol-long.csv", filepath.Join(kz, "protocol-wide.xlsx"), 1),
		"    layout: long\n", "    layout: long\n    sheet: Results\n", 1))
	write("garbage.xlsx", "PK\x03\x04 this is not a workbook")
	garbage := write("garbage.yaml", strings.Replace(string(spec), "protocol-long.csv", "garbage.xlsx", 1))
	out := filepath.Join(dir, "out")
	foreign := filepath.Join(dir, "thesis")
	os.MkdirAll(foreign, 0o755)
	write("thesis/chapter1.txt", "not a release")

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // regexp the first line of stderr must match
	}{
		{"clean run", []string{"run", good, "--out", out}, ExitOK, `^$|^kz-majilis-2021: `},
		{"validate", []string{"validate", good}, ExitOK, `^kz-majilis-2021: `},
		{"votes do not sum", []string{"run", badSum, "--out", out}, ExitFindings, `^sum\.csv::2:6: error votes-sum-mismatch: options of unit "KZ" sum to 7241662, but valid ballots are 7241562`},
		{"fail-on never", []string{"run", badSum, "--out", out, "--fail-on", "never", "--force"}, ExitOK, `^sum\.csv::2:6: error votes-sum-mismatch`},
		{"typo in a key", []string{"run", typo, "--out", out}, ExitUsage, `^.*typo\.yaml::\d+:\d+: unknown field "treshold"`},
		{"no spec file", []string{"run", filepath.Join(dir, "none.yaml")}, ExitUsage, `none\.yaml: spec file not found`},
		{"unknown flag", []string{"run", good, "--bogus"}, ExitUsage, `unknown flag: --bogus`},
		{"no argument", []string{"run"}, ExitUsage, `want SPEC\.yaml`},
		{"bad fail-on", []string{"run", good, "--fail-on", "sometimes"}, ExitUsage, `fail-on "sometimes"`},
		{"bad format", []string{"run", good, "--format", "xls"}, ExitUsage, `--format "xls"; known: arrow, csv, parquet`},
		{"missing source", []string{"run", missing, "--out", out}, ExitInput, `^nowhere\.csv: file not found`},
		{"missing sheet", []string{"run", noSheet, "--out", out}, ExitInput, `protocol-wide\.xlsx: no such sheet "Results"; the workbook has: "Итоги"`},
		{"quote never closed", []string{"run", unclosed, "--out", out}, ExitInput, `^unclosed\.csv::2:7: a quoted cell runs from line 2 to line 6, and its lines read like rows: a quote opened there is probably never closed`},
		{"not a workbook", []string{"run", garbage, "--out", out}, ExitInput, `^garbage\.xlsx: `},
		{"folder of other files", []string{"run", good, "--out", foreign}, ExitUsage, `thesis: the folder holds files but no datapackage\.json`},
		{"bad log format", []string{"run", good, "--out", out, "--force", "--log-format", "xml"}, ExitUsage, `--log-format "xml" must be text or json`},
		{"verify a folder with no manifest", []string{"verify", foreign}, ExitInput, `no datapackage\.json here`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := call(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !regexp.MustCompile(tc.stderr).MatchString(first) {
				t.Errorf("stderr first line %q does not match %q", first, tc.stderr)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", stderr)
			}
		})
	}
}

// TestGolden compares the demo's CSV tables with the reviewed copies in
// testdata/golden/kz-2021; -update rewrites them.
func TestGolden(t *testing.T) {
	out := t.TempDir()
	if code, _, stderr := call("run", filepath.Join(kzDir(t), "pipeline.yaml"), "--out", out); code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	golden := "../../testdata/golden/kz-2021"
	for _, table := range []string{"results", "units", "seats", "findings", "rejects"} {
		got, err := os.ReadFile(filepath.Join(out, table+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(golden, table+".csv")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./cmd/tally -run TestGolden -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s.csv differs from %s:\ngot:\n%s\nwant:\n%s", table, path, got, want)
		}
	}
}
