package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// Every Parquet and Arrow file records its inputs' sha256, whether the
// inputs were hashed before reading (a release in place), while reading
// (Parquet takes it in its footer), or before opening the files (Arrow
// records metadata up front).
func TestFilesRecordInputHashes(t *testing.T) {
	spec, err := LoadSpec(filepath.Join("..", "testdata", "kz-2021", "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(spec.SourcePath(spec.Sources[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := spec.Sources[0].Path + " sha256:" + hex.EncodeToString(sum[:])
	for _, tc := range []struct {
		name    string
		formats []string
		force   bool
		runs    int
	}{
		{"parquet, hashed while read", []string{"parquet"}, true, 1},
		{"arrow, hashed before the files open", []string{"arrow"}, true, 1},
		{"parquet, changed release hashed first", []string{"parquet"}, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			var err error
			for i := range tc.runs {
				opt := Options{Write: true, OutDir: out, Formats: tc.formats, Force: tc.force, Version: "test"}
				if i > 0 {
					// The second run sees a release whose inputs differ
					// (another version), so it hashes first and rewrites.
					opt.Version = "test2"
				}
				if _, err = Run(context.Background(), spec, opt); err != nil {
					t.Fatal(err)
				}
			}
			var got string
			switch tc.formats[0] {
			case "parquet":
				f, err := file.OpenParquetFile(filepath.Join(out, "results.parquet"), false)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if v := f.MetaData().KeyValueMetadata().FindValue("tally.sources"); v != nil {
					got = *v
				}
			case "arrow":
				fh, err := os.Open(filepath.Join(out, "results.arrow"))
				if err != nil {
					t.Fatal(err)
				}
				defer fh.Close()
				r, err := ipc.NewFileReader(fh)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				got, _ = r.Schema().Metadata().GetValue("tally.sources")
			}
			if !strings.Contains(got, want) {
				t.Errorf("tally.sources = %q, want it to hold %q", got, want)
			}
		})
	}
}
