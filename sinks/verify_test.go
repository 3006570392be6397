package sinks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyClean(t *testing.T) {
	for _, parts := range [][]string{nil, {"party"}} {
		dir := filepath.Join(t.TempDir(), "out")
		writeRelease(t, dir, "v", parts)
		probs, c, err := Verify(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(probs) > 0 {
			t.Errorf("partition_by %v: a fresh release has problems: %v", parts, probs)
		}
		wantFiles := 3
		if parts != nil {
			wantFiles = 15
		}
		if c.Resources != 3 || c.Files != wantFiles || c.Rows != 15 {
			t.Errorf("partition_by %v: checked %+v", parts, c)
		}
	}
}

// Each way of spoiling a release is caught and named.
func TestVerifyCatches(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  string // a problem must contain this
	}{
		{"flipped byte", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "parties.parquet")
			b := read(t, p)
			b[len(b)/2] ^= 0x01
			write(t, p, b)
		}, "parties.parquet: sha256 "},
		{"flipped byte in csv", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "parties.csv")
			write(t, p, []byte(strings.Replace(string(read(t, p)), "5148074", "5148075", 1)))
		}, "parties.csv: sha256 "},
		{"truncated", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "parties.arrow")
			b := read(t, p)
			write(t, p, b[:len(b)-100])
		}, "parties.arrow: does not read back as arrow"},
		{"truncated csv", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "parties.csv")
			b := read(t, p)
			write(t, p, b[:strings.LastIndex(strings.TrimSuffix(string(b), "\n"), "\n")+1])
		}, "parties.csv: 4 rows, the manifest says 5"},
		{"deleted table", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "parties.parquet")); err != nil {
				t.Fatal(err)
			}
		}, "parties.parquet: missing"},
		{"manifest rows", func(t *testing.T, dir string) {
			edit(t, dir, `"tally:rows": 5`, `"tally:rows": 6`)
		}, "parties.arrow: 5 rows, the manifest says 6"},
		{"manifest hash", func(t *testing.T, dir string) {
			d, _ := ReadManifest(dir)
			h := d.Resource("parties", "csv").Hash
			edit(t, dir, h, "sha256:"+strings.Repeat("0", 64))
		}, "parties.csv: sha256 "},
		{"manifest type", func(t *testing.T, dir string) {
			edit(t, dir, `"type": "integer"`, `"type": "number"`)
		}, "column \"votes\" is integer"},
		{"manifest path", func(t *testing.T, dir string) {
			edit(t, dir, `"path": "parties.csv"`, `"path": "../parties.csv"`)
		}, "leaves the folder"},
		{"manifest hash form", func(t *testing.T, dir string) {
			d, _ := ReadManifest(dir)
			h := d.Resource("parties", "arrow").Hash
			edit(t, dir, h, strings.Replace(h, "sha256:", "sha-256:", 1))
		}, "want sha256:<64 hex digits>"},
		{"extra file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "notes.txt"), []byte("hello"))
		}, "notes.txt: not listed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			writeRelease(t, dir, "v", nil)
			tc.spoil(t, dir)
			probs, _, err := Verify(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			found := false
			for _, p := range probs {
				msgs = append(msgs, p.String())
				found = found || strings.Contains(p.String(), tc.want)
			}
			if !found {
				t.Errorf("problems %q; want one containing %q", msgs, tc.want)
			}
		})
	}
}

func TestVerifyNoManifest(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Verify(context.Background(), dir); err == nil {
		t.Error("Verify on a folder with no manifest did not fail")
	}
	write(t, filepath.Join(dir, ManifestName), []byte(`{"resources": [`))
	if _, _, err := Verify(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "not a readable descriptor") {
		t.Errorf("Verify on a broken manifest: %v", err)
	}
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// edit replaces the first old with new in the release's manifest.
func edit(t *testing.T, dir, old, new string) {
	t.Helper()
	p := filepath.Join(dir, ManifestName)
	s := string(read(t, p))
	if !strings.Contains(s, old) {
		t.Fatalf("manifest has no %q", old)
	}
	write(t, p, []byte(strings.Replace(s, old, new, 1)))
}
