package sinks

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestEscapePart(t *testing.T) {
	tests := map[string]string{
		"nation":          "nation",
		"":                NullPartition,
		"a/b":             "a%2Fb",
		"x=1":             "x%3D1",
		"50%":             "50%25",
		"Ақ жол":          "Ақ жол",
		"../up":           "..%2Fup",
		"tab\there":       "tab%09here",
		`Auyl, "rural"`:   "Auyl, %22rural%22",
		"C:\\Windows?*[]": "C%3A%5CWindows%3F%2A%5B%5D",
	}
	for in, want := range tests {
		if got := escapePart(in); got != want {
			t.Errorf("escapePart(%q) = %q, want %q", in, got, want)
		}
	}
}

// Rows go to their partition's file in their order, whatever the batches;
// the partition column is left out of the files.
func TestPartitionedRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	p, err := CreatePartitioned("csv", dir, testSchema, []string{"party"}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	parties := []string{"b", "a", "a", "b", "a/x", ""}
	votes := []int64{1, 2, 3, 4, 5, 6}
	for _, cut := range [][2]int{{0, 2}, {2, 5}, {5, 6}} {
		b := batch(mem, parties[cut[0]:cut[1]], votes[cut[0]:cut[1]])
		if err := p.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		b.Release()
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if p.Rows() != 6 {
		t.Errorf("Rows() = %d", p.Rows())
	}
	var got []string
	for _, f := range p.Files() {
		b, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f.Path+" "+string(rune('0'+f.Rows))+"\n"+string(b))
	}
	want := []string{
		"party=__HIVE_DEFAULT_PARTITION__/part-0.csv 1\nvotes,share,eligible\n6,0.6,false\n",
		"party=a/part-0.csv 2\nvotes,share,eligible\n2,0.2,false\n3,0.3,false\n",
		"party=a%2Fx/part-0.csv 1\nvotes,share,eligible\n5,0.5,false\n",
		"party=b/part-0.csv 2\nvotes,share,eligible\n1,0.1,false\n4,0.4,false\n",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("partition files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPartitionedRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, by := range [][]string{{"eligible"}, {"nope"}, {"party", "party"}} {
		if _, err := CreatePartitioned("csv", dir, testSchema, by, nil, Options{}); err == nil {
			t.Errorf("CreatePartitioned by %v accepted", by)
		}
	}
	mem := memory.NewGoAllocator()
	p, err := CreatePartitioned("csv", dir, testSchema, []string{"party"}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var parties []string
	var votes []int64
	for i := 0; i <= MaxPartitions; i++ {
		parties = append(parties, strconv.Itoa(i))
		votes = append(votes, int64(i))
	}
	b := batch(mem, parties, votes)
	defer b.Release()
	err = p.Write(context.Background(), b)
	if err == nil || !strings.Contains(err.Error(), "more than 1024 partitions") {
		t.Errorf("too many partitions: %v", err)
	}
	p.Abort()
}
