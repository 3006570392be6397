package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"tally/internal/testkit"
)

// readCSVReference reads text as encoding/csv does for tally: lazy
// quotes, any number of fields, rows numbered by their first line.
func readCSVReference(t testing.TB, data []byte, comma byte) []Row {
	t.Helper()
	r := newCSVReader(bytes.NewReader(data), rune(comma))
	var out []Row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("encoding/csv: %v", err)
		}
		line, _ := r.FieldPos(0)
		out = append(out, Row{Num: line, Cells: rec})
	}
}

// readCSVBlocks reads text through the block reader with blocks of size
// bytes, batches of batch rows and the given number of workers.
func readCSVBlocks(t testing.TB, data []byte, comma byte, size, batch, workers int) []Row {
	t.Helper()
	rows, _ := readCSVBlocksLargest(t, data, comma, size, batch, workers)
	return rows
}

// readCSVBlocksLargest is readCSVBlocks that also returns the largest
// buffer the splitter cut blocks from.
func readCSVBlocksLargest(t testing.TB, data []byte, comma byte, size, batch, workers int) ([]Row, int) {
	t.Helper()
	defer func(lines int) { runawayLines = lines }(runawayLines)
	runawayLines = math.MaxInt // rows as encoding/csv reads them, whatever their cells
	r := readCSVSource(data, comma, size, batch, workers)
	if r.err != nil {
		t.Fatalf("block reader: %v", r.err)
	}
	return r.rows, r.largest
}

// csvRead is what reading a text through a CSV source gave.
type csvRead struct {
	rows    []Row
	read    int   // bytes read from the text
	largest int   // the largest buffer the splitter cut blocks from
	err     error // what ended the reading; nil at the end of the text
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// readCSVSource reads text as a CSV source does, with blocks of size
// bytes, batches of batch rows and the given number of workers.
func readCSVSource(data []byte, comma byte, size, batch, workers int) (r csvRead) {
	defer func(old int) { blockSize = old }(blockSize)
	blockSize = size
	in := &countingReader{r: bytes.NewReader(data)}
	s := &csvSource{name: "t.csv", size: batch, br: newBlockReader(in, comma, workers)}
	defer func() {
		s.br.close()
		r.read, r.largest = in.n, s.br.largest
	}()
	for {
		b, err := s.Next(context.Background())
		if err == io.EOF {
			return r
		}
		if err != nil {
			r.err = err
			return r
		}
		if len(b.Rows) == 0 || len(b.Rows) > batch {
			r.err = fmt.Errorf("batch of %d rows, want 1 to %d", len(b.Rows), batch)
			return r
		}
		for _, row := range b.Rows {
			r.rows = append(r.rows, Row{Num: row.Num, Cells: slices.Clone(row.Cells)})
		}
	}
}

func sameRows(a, b []Row) error {
	for i := 0; i < len(a) || i < len(b); i++ {
		if i >= len(a) || i >= len(b) {
			return fmt.Errorf("%d rows, want %d", len(a), len(b))
		}
		if a[i].Num != b[i].Num || !slices.Equal(a[i].Cells, b[i].Cells) {
			return fmt.Errorf("row %d: line %d %q, want line %d %q", i, a[i].Num, a[i].Cells, b[i].Num, b[i].Cells)
		}
	}
	return nil
}

// checkBlocks compares the block reader with encoding/csv on data, with
// cuts at many places.
func checkBlocks(t *testing.T, data []byte, comma byte) {
	t.Helper()
	want := readCSVReference(t, data, comma)
	defer func(old int) { chunkSize = old }(chunkSize)
	for _, chunk := range []int{1, 5, 4 << 10} {
		chunkSize = chunk
		for _, size := range []int{1, 2, 3, 5, 8, 13, 64, 1000, 1 << 20} {
			for _, workers := range []int{1, 3} {
				got := readCSVBlocks(t, data, comma, size, 4, workers)
				if err := sameRows(got, want); err != nil {
					t.Fatalf("blocks of %d bytes, chunks of %d, %d workers, input %q: %v", size, chunk, workers, data, err)
				}
			}
		}
	}
}

func TestCSVBlocksMatchEncodingCSV(t *testing.T) {
	for _, in := range []string{
		"",
		"\n",
		"\r\n\r\n",
		"a",
		"a\r",
		"a,b\r",
		"a,b\n\r",
		"a,b\nc,d",
		"a,b\r\nc,d\r\n",
		"a,b\n\n\nc,d\n",
		"a,,b,\n,\n",
		"\r\r\n",
		"a\rb,c\r\r\n",
		`"a","b"` + "\n",
		`"a,b",c` + "\n" + `d,"e""f"` + "\n",
		"\"multi\nline\",x\ny,\"z\r\nw\"\r\nlast,row",
		"\"open at the end\nstill open",
		"\"open at the end\n",
		"\"\"\n\"\",\"\"\n",
		`a"b,c` + "\n" + `"d"e,f` + "\n" + "\"g\nh\",i\n",
		`"x"y"z` + "\nnext,\"q\"\n",
		"\"a\"\r,b\n",
		"\"a\"\r\n\"b\"\r",
		"one,\"two\nthree\",four\nfive\n\n\"six\"\n",
		"\"a\"\"\nb\"\"\",c\n",
		"x,\"\n\n\n\",y\n\nz\n",
		// A quote opened at the very end: an empty cell whose text is
		// the (empty) unescaped text.
		"\"",
		"a,\"",
		"x\na,\"",
	} {
		checkBlocks(t, []byte(in), ',')
		checkBlocks(t, []byte(strings.ReplaceAll(in, ",", ";")), ';')
	}
}

// randomCSV makes text from pieces that exercise quotes, line ends and
// delimiters; regular keeps every quote regular (the case parsed in
// parallel).
func randomCSV(rng *rand.Rand, regular bool) []byte {
	var b bytes.Buffer
	rows := rng.IntN(40)
	for range rows {
		fields := rng.IntN(5)
		for f := 0; f <= fields; f++ {
			if f > 0 {
				b.WriteByte(',')
			}
			switch rng.IntN(6) {
			case 0:
			case 1, 2:
				b.WriteString([]string{"12", "Ак жол", "x y", "\r", "7,5"[:1]}[rng.IntN(5)])
			case 3, 4:
				b.WriteByte('"')
				for range rng.IntN(4) {
					b.WriteString([]string{"a", "\"\"", ",", "\n", "\r\n", "Ж", "\r"}[rng.IntN(7)])
				}
				b.WriteByte('"')
			case 5:
				if !regular {
					b.WriteString([]string{`a"b`, `"c"d`, `"`, `""x`}[rng.IntN(4)])
				}
			}
		}
		b.WriteString([]string{"\n", "\r\n", "\n\n", "\r\n\r\n"}[rng.IntN(4)])
	}
	if rng.IntN(2) == 0 && b.Len() > 0 {
		b.Truncate(b.Len() - 1 - rng.IntN(min(3, b.Len())))
	}
	return b.Bytes()
}

func TestCSVBlocksRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		data := randomCSV(rng, i%2 == 0)
		checkBlocks(t, data, ',')
		if i%4 < 2 {
			// Other delimiters, for the parser's search of eight bytes
			// at a time: tab, and a control byte that text never holds.
			comma := []byte{'\t', 0x01}[i%4]
			checkBlocks(t, bytes.ReplaceAll(data, []byte{','}, []byte{comma}), comma)
		}
	}
}

func FuzzCSVBlocks(f *testing.F) {
	f.Add([]byte("a,\"b\nc\"\r\n\"d\"\"e\",f\n"), 3)
	f.Add([]byte("x\"y,z\n\"q\"r\n"), 2)
	// Records with a quoted field among long unquoted ones, which are
	// split eight bytes at a time, and with a quote inside an unquoted
	// field after them.
	f.Add([]byte("KZ-2021-MAJILIS,region name,1,\"party \"\"A\"\"\",42,728,464,1\r\n"+
		"KZ-2021-MAJILIS,region name,2,\"p, q\",,7,\"\"\n"+
		"long field one,long field two,x\"y,3\n"), 1<<16|200)
	f.Fuzz(func(t *testing.T, data []byte, size int) {
		defer func(old int) { chunkSize = old }(chunkSize)
		chunkSize = 1 + (size>>16&0xff)%40
		size = 1 + (size&0xffff)%97
		want := readCSVReference(t, data, ',')
		got := readCSVBlocks(t, data, ',', size, 3, 2)
		if err := sameRows(got, want); err != nil {
			t.Fatalf("blocks of %d bytes: %v", size, err)
		}
	})
}

// TestCSVBlocksFallBack checks that a bare quote early in a long file,
// which makes every later cut doubtful, still gives encoding/csv's rows
// and row numbers.
func TestCSVBlocksFallBack(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("id,name\n1,say \"hi\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "%d,\"name %d\nwith a line end\"\n", i, i)
	}
	checkBlocks(t, b.Bytes(), ',')
}

func FuzzTrimSpace(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a ", "Ак жол", "Ак жол\u00a0", "\u3000x", "x\u2029", "\xff", "\xe2\x80", " \xc2", "\t1\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := TrimSpace(s), strings.TrimSpace(s); got != want {
			t.Fatalf("TrimSpace(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzSingleSpaced(f *testing.F) {
	for _, s := range []string{"", " ", "a b", "a  b", " a", "a ", "Ак жол", "Ак  жол", "a\u00a0b", "a\tb", "x\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := singleSpaced(s), strings.Join(strings.Fields(s), " ") == s; got != want {
			t.Fatalf("singleSpaced(%q) = %v, want %v", s, got, want)
		}
	})
}

// BenchmarkBlockParse parses a generated long table in blocks on one
// goroutine: the parser alone, without reading or handing rows on.
// cpu-ns/op includes the garbage collector's work.
func BenchmarkBlockParse(b *testing.B) {
	path, _, err := testkit.LongCSV(b.TempDir(), 12_000, 1)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var blocks [][]byte
	for len(data) > 0 {
		cut := splitPoint(data[:min(len(data), 128<<10)])
		if cut < 0 || len(data) <= 128<<10 {
			cut = len(data)
		}
		blocks, data = append(blocks, data[:cut]), data[cut:]
	}
	p := &blockParser{comma: ',', size: chunkSize}
	size := 0
	for _, d := range blocks {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	start := testkit.CPUTime()
	for b.Loop() {
		for i, d := range blocks {
			p.parse(&csvBlock{data: d, final: i == len(blocks)-1})
		}
	}
	testkit.ReportCPU(b, start)
}

// failingReader gives n bytes of text, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// A read error ends the rows with that error, after the rows before it,
// and the reader's goroutines end when it is closed.
func TestCSVBlocksReadError(t *testing.T) {
	defer func(old int) { blockSize = old }(blockSize)
	blockSize = 64
	var b bytes.Buffer
	for i := range 100 {
		fmt.Fprintf(&b, "%d,x\n", i)
	}
	boom := errors.New("disk on fire")
	s := &csvSource{name: "t.csv", size: 7, br: newBlockReader(&failingReader{data: b.Bytes(), err: boom}, ',', 2)}
	defer s.br.close()
	rows := 0
	for {
		bt, err := s.Next(context.Background())
		if err != nil {
			if !errors.Is(err, boom) {
				t.Fatalf("error %v, want %v", err, boom)
			}
			break
		}
		for _, r := range bt.Rows {
			if r.Num != rows+1 || r.Cells[0] != fmt.Sprint(rows) {
				t.Fatalf("row %d is line %d %q", rows, r.Num, r.Cells)
			}
			rows++
		}
	}
	if rows == 0 || rows > 100 {
		t.Errorf("%d rows before the error", rows)
	}
}

// Closing a reader that was never read ends its goroutines.
func TestCSVBlocksCloseUnread(t *testing.T) {
	defer func(old int) { blockSize = old }(blockSize)
	blockSize = 16
	br := newBlockReader(bytes.NewReader(bytes.Repeat([]byte("a,b\n"), 10000)), ',', 2)
	done := make(chan struct{})
	go func() { br.close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return")
	}
}

func FuzzBlankText(f *testing.F) {
	for _, s := range []string{"", " ", "\t\u00a0", "\u3000x", "x", "\u0085", "\v\f", "\xff", " \xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := blankText(s), strings.TrimSpace(s) == ""; got != want {
			t.Fatalf("blankText(%q) = %v, want %v", s, got, want)
		}
	})
}

// A stray quote flips the count of quotes for the rest of the text, so
// no cut is found after it: the splitter must still hold no more than
// about maxUncut bytes, and the rows must be encoding/csv's.
func TestStrayQuoteKeepsBlocksBounded(t *testing.T) {
	defer func(old int) { maxUncut = old }(maxUncut)
	maxUncut = 1 << 10
	var b strings.Builder
	b.WriteString("id,party,votes\n")
	for i := range 2000 {
		v := fmt.Sprint(i)
		if i == 3 {
			v = `5"` // an inch mark in an unquoted field
		}
		if i == 1500 {
			v = `"quoted, with comma"`
		}
		fmt.Fprintf(&b, "%d,A,%s\n", i, v)
	}
	data := []byte(b.String())
	want := readCSVReference(t, data, ',')
	for _, workers := range []int{1, 2} {
		got, largest := readCSVBlocksLargest(t, data, ',', 256, 100, workers)
		if err := sameRows(got, want); err != nil {
			t.Fatalf("workers %d: %v", workers, err)
		}
		if largest > 2*maxUncut {
			t.Errorf("workers %d: a buffer of %d bytes was cut, want at most %d", workers, largest, 2*maxUncut)
		}
	}
}
