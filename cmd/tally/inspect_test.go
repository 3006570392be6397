package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tally/pipeline"
)

// Every published file in the shared data folder is described: at least
// one table, and no error, panic or hang.
func TestInspectEveryRealFile(t *testing.T) {
	const dir = "../../../shared/data/real"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("published result files not found at %s (the shared data folder beside the project); skipping", dir)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 20 {
		t.Fatalf("only %d files found", len(files))
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			rep, err := inspectFile(context.Background(), p, pipeline.Source{Path: p})
			if err != nil {
				t.Fatalf("inspect: %v", err)
			}
			if len(rep.Tables) == 0 || rep.Rows.Rows == 0 {
				t.Errorf("no table found: %+v", rep)
			}
			st := rep.Rows
			if st.Rows != st.DataRows+st.HeaderRows+st.Preamble+st.Blank {
				t.Errorf("rows do not add up: %+v", st)
			}
		})
	}
}
