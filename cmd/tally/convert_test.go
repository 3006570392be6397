package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tally/pipeline"
	"tally/report"
)

// Commission-shaped regional sheets tally has no spec for: each converts
// with the right totals, the total row kept out of the sum, and every row
// accounted for.
func TestConvertRegionalSheets(t *testing.T) {
	cases := []struct {
		file     string
		units    int
		figures  map[string]int64
		votes    map[string]int64
		encoding string
	}{
		{"ru-tik-cp1251.csv", 3, map[string]int64{"registered": 26542, "valid": 17500, "invalid": 245},
			map[string]int64{"Партия «Вперёд»": 8600, "Партия «Заря»": 6400, "Партия «Лесная»": 2500}, "windows-1251"},
		{"kz-oblys-utf16.txt", 2, map[string]int64{"registered": 1300000, "ballots_cast": 950000, "invalid": 15000},
			map[string]int64{"«Nur Otan»": 670000, "«Ақ жол»": 160000, "«Ауыл»": 105000}, "utf-16le"},
		{"kz-audan-kz1048.csv", 2, map[string]int64{"registered": 1600, "ballots_cast": 1250, "valid": 1220},
			map[string]int64{"Қазақстан халық партиясы": 800, "Ақ жол": 300, "Ауыл": 120}, "kz-1048"},
		{"ru-uik-merged.xlsx", 3, map[string]int64{"registered": 3000, "valid": 2100},
			map[string]int64{"Партия «Восход»": 1000, "Партия «Рассвет»": 680, "Партия «Полдень»": 420}, ""},
		{"count-percent.csv", 2, map[string]int64{"registered": 1800},
			map[string]int64{"Candidate A": 516, "Candidate B": 244}, "utf-8"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("../../testdata/convert", tc.file)
			spec := convertSpec([]string{path}, sourceFlags{}, "", "")
			sum, err := pipeline.Run(context.Background(), spec, pipeline.Options{})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if n := sum.Count(2); n != 0 {
				t.Errorf("%d error findings: %v", n, findingLines(sum))
			}
			if len(sum.Totals) != 1 {
				t.Fatalf("%d contests, want 1", len(sum.Totals))
			}
			ct := sum.Totals[0]
			if ct.Units != tc.units || ct.Levels[pipeline.LevelTotal] != 1 {
				t.Errorf("%d units summed at %q, levels %v; want %d units and one total row", ct.Units, ct.Level, ct.Levels, tc.units)
			}
			for f, want := range tc.figures {
				if got := ct.Figures[f]; got != want {
					t.Errorf("%s = %d, want %d (figures %v)", f, got, want, ct.Figures)
				}
			}
			if len(ct.Options) != len(tc.votes) {
				t.Errorf("%d options, want %d: %v", len(ct.Options), len(tc.votes), ct.Options)
			}
			for _, o := range ct.Options {
				if want, ok := tc.votes[o.Name]; !ok || o.Votes != want {
					t.Errorf("option %q has %d votes, want %d (known %v)", o.Name, o.Votes, want, ok)
				}
			}
			src := sum.Sources[0]
			if src.Rejected != 0 || src.Used != src.Data {
				t.Errorf("rows: %+v", src)
			}
			if tc.encoding != "" {
				rep, err := inspectFile(context.Background(), path, pipeline.Source{Path: path})
				if err != nil {
					t.Fatal(err)
				}
				if rep.Encoding == nil || rep.Encoding.Name != tc.encoding {
					t.Errorf("encoding %+v, want %s", rep.Encoding, tc.encoding)
				}
			}
		})
	}
}

// -o writes the results table in the format its extension names.
func TestConvertWritesOneTable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results.csv")
	code, _, stderr := call("convert", "../../testdata/convert/ru-tik-cp1251.csv", "-o", out)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1+4*3 || !strings.HasPrefix(lines[0], "election_id,contest_id,unit_id") {
		t.Errorf("results.csv has %d lines, header %q", len(lines), lines[0])
	}
	if !strings.Contains(stderr, "8,600  Партия «Вперёд»") {
		t.Errorf("stderr lacks the totals: %s", stderr)
	}
	for _, args := range [][]string{{"convert", "x.csv"}, {"convert", "x.csv", "-o", "a.txt"}} {
		if code, _, _ := call(args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// With no spec at all, convert reads the Duma 2021 polling-station table
// (96,325 stations) to the published national totals.
func TestConvertRussia2021NoSpec(t *testing.T) {
	path := "../../../shared/data/real/russia/2021.csv.zip"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("published result files not found at %s (the shared data folder beside the project); skipping", path)
	}
	sum, err := pipeline.Run(context.Background(), convertSpec([]string{path}, sourceFlags{}, "", ""), pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ct := sum.Totals[0]
	if ct.Units != 96325 || ct.Figures["registered"] != 109204662 || ct.Figures["valid"] != 55158109 {
		t.Errorf("%d units, figures %v", ct.Units, ct.Figures)
	}
	want := map[string]int64{"ЕДИНАЯ РОССИЯ": 28064200, "КОММУНИСТИЧЕСКАЯ ПАРТИЯ РОССИЙСКОЙ ФЕДЕРАЦИИ": 10660669,
		"ЛДПР": 4252252, "СПРАВЕДЛИВАЯ РОССИЯ – ЗА ПРАВДУ": 4201744, "НОВЫЕ ЛЮДИ": 2997744}
	for part, votes := range want {
		found := false
		for _, o := range ct.Options {
			if strings.Contains(o.Name, part) && !strings.Contains(o.Name, "КОММУНИСТЫ") {
				found = true
				if o.Votes != votes {
					t.Errorf("%s: %d votes, want %d", o.Name, o.Votes, votes)
				}
			}
		}
		if !found {
			t.Errorf("no option named like %q", part)
		}
	}
}

// init writes a spec that loads, and runs to the same totals convert
// gives; what it guessed is marked.
func TestInitSpecRuns(t *testing.T) {
	for _, file := range []string{"ru-tik-cp1251.csv", "ru-uik-merged.xlsx", "kz-oblys-utf16.txt"} {
		t.Run(file, func(t *testing.T) {
			path, err := filepath.Abs(filepath.Join("../../testdata/convert", file))
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := call("init", path)
			if code != ExitOK {
				t.Fatalf("init: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "# guessed") {
				t.Errorf("no guessed line marked:\n%s", stdout)
			}
			specPath := filepath.Join(t.TempDir(), "spec.yaml")
			if err := os.WriteFile(specPath, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			spec, err := pipeline.LoadSpec(specPath)
			if err != nil {
				t.Fatalf("the spec init wrote does not load: %v\n%s", err, stdout)
			}
			sum, err := pipeline.Run(context.Background(), spec, pipeline.Options{})
			if err != nil {
				t.Fatal(err)
			}
			conv, err := pipeline.Run(context.Background(), convertSpec([]string{path}, sourceFlags{}, "", ""), pipeline.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if n := sum.Count(1); n != 0 {
				t.Errorf("%d findings at warning or above: %v", n, findingLines(sum))
			}
			a, b := sum.Totals[0], conv.Totals[0]
			if a.Units != b.Units || len(a.Options) != len(b.Options) {
				t.Fatalf("init spec: %+v; convert: %+v", a, b)
			}
			for i := range a.Options {
				if a.Options[i].Votes != b.Options[i].Votes {
					t.Errorf("option %d: %+v vs %+v", i, a.Options[i], b.Options[i])
				}
			}
			for f, v := range b.Figures {
				if a.Figures[f] != v {
					t.Errorf("%s: %d vs %d", f, a.Figures[f], v)
				}
			}
		})
	}
}

// findingLines renders every finding of a run, one a line.
func findingLines(sum *pipeline.Summary) string {
	var b strings.Builder
	sum.EachFinding(func(f *report.Finding) error {
		b.WriteString(f.String() + "\n")
		return nil
	})
	return b.String()
}
