package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// validate builds no output rows, only counts them: its summary holds the
// same table sizes, findings and seats as a run that writes.
func TestValidateCountsWhatRunWrites(t *testing.T) {
	for _, name := range []string{"pipeline.yaml", "pipeline-wide.yaml"} {
		spec, err := LoadSpec(filepath.Join("..", "testdata", "kz-2021", name))
		if err != nil {
			t.Fatal(err)
		}
		run, err := Run(context.Background(), spec, Options{Write: true, OutDir: t.TempDir(), Version: "test", Formats: []string{"csv"}})
		if err != nil {
			t.Fatal(err)
		}
		val, err := Run(context.Background(), spec, Options{Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if run.Tables["results"] == 0 {
			t.Fatalf("%s: the run wrote no results", name)
		}
		for _, table := range []string{"results", "units"} {
			if run.Tables[table] != val.Tables[table] {
				t.Errorf("%s: %s: run wrote %d rows, validate counted %d", name, table, run.Tables[table], val.Tables[table])
			}
		}
		if d := cmp.Diff(findingsOf(run), findingsOf(val)); d != "" {
			t.Errorf("%s: findings differ (-run +validate):\n%s", name, d)
		}
		if d := cmp.Diff(run.Seats, val.Seats, cmp.AllowUnexported(opt{})); d != "" {
			t.Errorf("%s: seats differ (-run +validate):\n%s", name, d)
		}
	}
}
