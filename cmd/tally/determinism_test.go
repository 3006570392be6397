package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tally/sinks"
)

// writeSynthetic writes a long CSV of n precincts x 12 parties (Cyrillic,
// Kazakh and quoted names, so every writer's escaping is exercised) and a
// spec over it, and returns the spec's path. The same n gives the same
// bytes.
func writeSynthetic(t *testing.T, dir string, n int) string {
	t.Helper()
	parties := []string{"Nur Otan", "Ақ жол", "Народная партия Казахстана", "Auyl", "Adal", `Party "Quoted"`,
		"Comma, Party", "Жаңа", "Ұлттық", "Green", "Өрлеу", "Independent"}
	f, err := os.Create(filepath.Join(dir, "long.csv"))
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "precinct_id,district,party,votes,registered,ballots_cast,invalid")
	seed := uint64(2021)
	next := func(m uint64) uint64 { seed = seed*6364136223846793005 + 1442695040888963407; return (seed >> 33) % m }
	for p := 0; p < n; p++ {
		votes := make([]uint64, len(parties))
		var valid uint64
		for i := range parties {
			votes[i] = next(400)
			valid += votes[i]
		}
		invalid := next(20)
		registered := valid + invalid + next(900)
		for i, party := range parties {
			name := party
			if strings.ContainsAny(name, `",`) {
				name = `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
			}
			fmt.Fprintf(w, "P%06d,D%03d,%s,%d,%d,%d,%d\n", p, p/60, name, votes[i], registered, valid+invalid, invalid)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	spec := `election: {id: synthetic}
contests: [{id: national, seats: 98, method: hare, threshold: {percent: 7}}]
sources:
  - path: long.csv
    layout: long
    unit_level: precinct
    columns: {unit_id: precinct_id, parent: district, option: party, votes: votes, registered: registered, ballots_cast: ballots_cast, invalid: invalid}
checks: {fail_on: never}
`
	p := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(p, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// hashes returns the sha256 of every file under dir, by relative path.
func hashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rel, body := range snapshot(t, dir) {
		sum := sha256.Sum256([]byte(body))
		out[rel] = hex.EncodeToString(sum[:])
	}
	return out
}

// twoRuns runs a spec twice into two folders, with different GOMAXPROCS
// and batch sizes, and reports any file whose bytes differ.
func twoRuns(t *testing.T, spec string, extra ...string) {
	t.Helper()
	root := t.TempDir()
	var got [2]map[string]string
	for i, env := range [][]string{{"GOMAXPROCS=1"}, {"GOMAXPROCS=4"}} {
		out := filepath.Join(root, fmt.Sprintf("out%d", i))
		batch := []string{"1000", "7777"}[i]
		args := append([]string{"run", spec, "--out", out, "--batch-rows", batch, "--json"}, extra...)
		p := startEnv(t, env, args...)
		p.stdin.Close()
		if code := p.wait(t); code != 0 && code != ExitFindings {
			t.Fatalf("run %d: exit %d\n%s", i, code, p.errText())
		}
		got[i] = hashes(t, out)
	}
	if len(got[0]) == 0 {
		t.Fatal("no files written")
	}
	for name, h := range got[0] {
		if got[1][name] != h {
			t.Errorf("%s differs between runs (GOMAXPROCS 1 and 4, batches of 1000 and 7777 rows)", name)
		}
	}
	if len(got[0]) != len(got[1]) {
		t.Errorf("the runs wrote %d and %d files", len(got[0]), len(got[1]))
	}
}

// The same inputs and spec give the same bytes in every output and the
// manifest, whatever GOMAXPROCS and the batch size.
func TestDeterministicReleases(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("demo", func(t *testing.T) {
		twoRuns(t, filepath.Join(kzDir(t), "pipeline.yaml"))
	})
	t.Run("synthetic", func(t *testing.T) {
		// 10,000 precincts: 120,000 result rows cross several Parquet
		// row groups and Arrow batches.
		twoRuns(t, writeSynthetic(t, t.TempDir(), 10000))
	})
	t.Run("partitioned", func(t *testing.T) {
		dir := t.TempDir()
		spec := writeSynthetic(t, dir, 3000)
		b, _ := os.ReadFile(spec)
		part := strings.Replace(string(b), "checks:", "outputs: {partition_by: [election_id, unit_level]}\nchecks:", 1)
		if err := os.WriteFile(spec, []byte(part), 0o644); err != nil {
			t.Fatal(err)
		}
		twoRuns(t, spec)
	})
	t.Run("russia-2021", func(t *testing.T) {
		spec := "../../testdata/real/russia-2021.yaml"
		if _, err := os.Stat("../../../shared/data/real/russia/2021.csv.zip"); err != nil {
			t.Skip("the shared data folder (../shared/data/real) is absent")
		}
		twoRuns(t, spec)
	})
}

// SOURCE_DATE_EPOCH dates the manifest and the files; without it they
// hold no time at all.
func TestSourceDateEpoch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	root := t.TempDir()
	spec := filepath.Join(kzDir(t), "pipeline.yaml")
	p := startEnv(t, []string{"SOURCE_DATE_EPOCH=1610236800"}, "run", spec, "--out", filepath.Join(root, "dated"))
	p.stdin.Close()
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.errText())
	}
	d, err := sinks.ReadManifest(filepath.Join(root, "dated"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Created != "2021-01-10T00:00:00Z" {
		t.Errorf("created = %q, want 2021-01-10T00:00:00Z", d.Created)
	}
	pq, _ := os.ReadFile(filepath.Join(root, "dated", "results.parquet"))
	if !strings.Contains(string(pq), "2021-01-10T00:00:00Z") {
		t.Error("results.parquet does not carry the date in its metadata")
	}
	p = startEnv(t, nil, "run", spec, "--out", filepath.Join(root, "plain"))
	p.stdin.Close()
	p.wait(t)
	raw, _ := os.ReadFile(filepath.Join(root, "plain", sinks.ManifestName))
	if strings.Contains(string(raw), `"created"`) {
		t.Error("a manifest made without SOURCE_DATE_EPOCH has a created time")
	}
	p = startEnv(t, []string{"SOURCE_DATE_EPOCH=yesterday"}, "run", spec, "--out", filepath.Join(root, "bad"))
	p.stdin.Close()
	if code := p.wait(t); code != ExitUsage || !strings.Contains(p.errText(), "SOURCE_DATE_EPOCH") {
		t.Errorf("a bad SOURCE_DATE_EPOCH: exit %d\n%s", code, p.errText())
	}
}
