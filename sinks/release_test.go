package sinks

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"tally/internal/dpcheck"
)

var keyedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "party", Type: arrow.BinaryTypes.String, Metadata: arrow.NewMetadata([]string{"description"}, []string{"Party name"})},
	{Name: "votes", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: arrow.NewMetadata([]string{"description"}, []string{"Votes"})},
	{Name: "share", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "eligible", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// writeRelease writes the test rows as one table in every format into a
// new release of dir, with its manifest, and commits it. tag goes into the
// file metadata, so releases with different tags differ in bytes.
func writeRelease(t *testing.T, dir, tag string, parts []string) *Descriptor {
	t.Helper()
	rel, err := OpenRelease(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rel.Close()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	parties := []string{"Nur Otan", "Ақ жол", "Народная партия", "Auyl, \"rural\"", "Adal"}
	votes := []int64{5148074, 792828, -1, 383023, 0}
	var outs []Output
	for _, format := range Formats() {
		var s Sink
		var pt *Partitioned
		out := Output{Table: "parties", Format: format, Schema: keyedSchema, PrimaryKey: []string{"party"}, PartitionBy: parts,
			ForeignKeys: []ForeignKey{{Fields: []string{"party"}, Table: "parties", TableFields: []string{"party"}}}}
		if len(parts) > 0 {
			out.Path = "parties"
			pt, err = CreatePartitioned(format, filepath.Join(rel.Path(), "parties"), keyedSchema, parts, Meta{"tag": tag}, Options{})
			s = pt
		} else {
			out.Path = "parties" + Ext(format)
			s, err = Create(format, filepath.Join(rel.Path(), out.Path), keyedSchema, Meta{"tag": tag}, Options{})
		}
		if err != nil {
			t.Fatal(err)
		}
		b := batchOf(mem, keyedSchema, parties, votes)
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		b.Release()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		out.Rows = s.Rows()
		if pt != nil {
			for _, f := range pt.Files() {
				p := "parties/" + f.Path
				sum, n, err := FileSum(filepath.Join(rel.Path(), p))
				if err != nil {
					t.Fatal(err)
				}
				out.Files = append(out.Files, PartFile{Path: p, Rows: f.Rows, Bytes: n, SHA256: sum})
				out.Bytes += n
			}
		} else {
			out.SHA256, out.Bytes, err = FileSum(filepath.Join(rel.Path(), out.Path))
			if err != nil {
				t.Fatal(err)
			}
		}
		outs = append(outs, out)
	}
	p := Package{Name: "Test " + tag, Resources: outs, Sources: []SourceFile{{Path: "../in/votes.csv", SHA256: strings.Repeat("ab", 32), Bytes: 10}},
		Run: RunRecord{Version: "test", Fingerprint: "sha256:" + tag, Formats: Formats(), Rows: map[string]int64{"parties": 5}}}
	if err := WriteManifest(rel.Path(), p); err != nil {
		t.Fatal(err)
	}
	if err := rel.Commit(); err != nil {
		t.Fatal(err)
	}
	d := NewDescriptor(p)
	return &d
}

// entries lists a folder's names, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestReleaseReplacesWhole(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	writeRelease(t, dir, "one", nil)
	first, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	want := []string{"datapackage.json", "parties.arrow", "parties.csv", "parties.parquet"}
	if got := entries(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("release holds %v, want %v", got, want)
	}
	if got := entries(t, root); strings.Join(got, " ") != "out" {
		t.Errorf("beside the release: %v, want only out (no lock, no temporary folder)", got)
	}
	// A second release replaces every file; the manifest differs by tag.
	writeRelease(t, dir, "two", nil)
	second, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	if bytes.Equal(first, second) {
		t.Error("second release did not replace the manifest")
	}
	if got := entries(t, root); strings.Join(got, " ") != "out" {
		t.Errorf("after the second release, beside it: %v", got)
	}
	st, err := os.Stat(filepath.Join(dir, ManifestName))
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("manifest mode %v, %v; want 0644", st.Mode().Perm(), err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o755 {
		t.Errorf("release folder mode %v, want 0755", st.Mode().Perm())
	}
}

func TestReleaseAbortKeepsPrevious(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	writeRelease(t, dir, "one", nil)
	before, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	rel, err := OpenRelease(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rel.Path(), "half.csv"), []byte("a,b\n1,"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel.Abort()
	after, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	if !bytes.Equal(before, after) {
		t.Error("Abort changed the release")
	}
	if got := entries(t, root); strings.Join(got, " ") != "out" {
		t.Errorf("after Abort, beside the release: %v", got)
	}
}

// What a killed run leaves (a lock file, a temporary folder, a previous
// release moved out) is cleared by the next run.
func TestReleaseClearsLeftovers(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	writeRelease(t, dir, "one", nil)
	for _, p := range []string{".out.tmp-123", ".out.old-456"} {
		if err := os.MkdirAll(filepath.Join(root, p, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, ".out.lock"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	rel, err := OpenRelease(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Removed) != 2 {
		t.Errorf("Removed = %v, want the two leftover folders", rel.Removed)
	}
	rel.Abort()
	if got := entries(t, root); strings.Join(got, " ") != "out" {
		t.Errorf("beside the release: %v", got)
	}

	// Killed between the two renames of a file system that cannot swap
	// folders: the release is missing, the previous one is .out.old-*.
	if err := os.Rename(dir, filepath.Join(root, ".out.old-789")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, ".out.tmp-000"), 0o755)
	rel, err = OpenRelease(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	rel.Abort()
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err != nil {
		t.Errorf("previous release not put back: %v", err)
	}
	if got := entries(t, root); strings.Join(got, " ") != "out" {
		t.Errorf("beside the release: %v", got)
	}
}

func TestReleaseRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenRelease(context.Background(), dir, false)
	if !errors.Is(err, ErrNotRelease) {
		t.Fatalf("OpenRelease on a folder of other files: %v, want ErrNotRelease", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "thesis.tex")); err != nil {
		t.Errorf("the folder's file is gone: %v", err)
	}
	if got := entries(t, filepath.Dir(dir)); len(got) != 1 {
		t.Errorf("beside the folder: %v", got)
	}
}

func TestReleaseLock(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	a, err := OpenRelease(context.Background(), dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenRelease(context.Background(), dir, false); !errors.Is(err, ErrLocked) {
		t.Fatalf("second OpenRelease: %v, want ErrLocked", err)
	}
	// A waiting run gives up when its context ends...
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := OpenRelease(ctx, dir, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting OpenRelease with a deadline: %v", err)
	}
	// ... and gets the lock once the holder is done.
	got := make(chan error, 1)
	go func() {
		b, err := OpenRelease(context.Background(), dir, true)
		if err == nil {
			b.Abort()
		}
		got <- err
	}()
	a.Abort()
	if err := <-got; err != nil {
		t.Fatalf("waiting OpenRelease: %v", err)
	}
	if got := entries(t, root); len(got) != 0 {
		t.Errorf("left beside the release: %v", got)
	}
}

func TestManifestFollowsStandard(t *testing.T) {
	for _, parts := range [][]string{nil, {"party"}} {
		dir := filepath.Join(t.TempDir(), "out")
		want := writeRelease(t, dir, "std", parts)
		raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
		if err != nil {
			t.Fatal(err)
		}
		if msgs := dpcheck.Check(raw); len(msgs) > 0 {
			t.Errorf("partition_by %v: the manifest breaks the standard:\n%s", parts, strings.Join(msgs, "\n"))
		}
		got, err := ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := got.Encode()
		w, _ := want.Encode()
		if !bytes.Equal(g, w) || !bytes.Equal(g, raw) {
			t.Errorf("manifest does not read back as written:\n%s\nwant:\n%s", g, w)
		}
		r := got.Resource("parties", "parquet")
		if r == nil {
			t.Fatal("no parties-parquet resource")
		}
		if len(parts) == 0 {
			if r.Schema.Fields[0].Constraints == nil || !r.Schema.Fields[0].Constraints.Required || r.Schema.Fields[1].Constraints != nil {
				t.Errorf("required constraints: %+v", r.Schema.Fields)
			}
			if r.Schema.Fields[0].Description != "Party name" || len(r.Schema.ForeignKeys) != 1 {
				t.Errorf("schema: %+v", r.Schema)
			}
		} else {
			// The partition column lives in folder names, so neither
			// the fields nor the keys name it.
			if len(r.Path) != 5 || len(r.Files) != 5 || r.Schema.Fields[0].Name != "votes" || r.Schema.PrimaryKey != nil || r.Schema.ForeignKeys != nil {
				t.Errorf("partitioned resource: %+v", r)
			}
			if r.Path[0] != "parties/party=Adal/part-0.parquet" {
				t.Errorf("first partition file %q", r.Path[0])
			}
		}
	}
}

// Leftovers are found by name, not by glob pattern: a folder whose name
// holds pattern characters is handled like any other.
func TestReleasePatternName(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out[1]")
	writeRelease(t, dir, "one", nil)
	if err := os.MkdirAll(filepath.Join(root, ".out[1].tmp-9"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeRelease(t, dir, "two", nil)
	if got := entries(t, root); strings.Join(got, " ") != "out[1]" {
		t.Errorf("beside the release: %v", got)
	}
}
