package testkit

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Parties are the option names of generated tables: Latin, Cyrillic and
// Kazakh letters, and one with a comma so CSV quoting is exercised.
var Parties = []string{"Nur Otan", "Ак жол", "Народная партия Казахстана", "Ауыл", "Adal",
	"Қазақстан жасылдары", "Respublica", "Birlik, United", "Жаңа Қазақстан", "Rukhaniyat", "Yntymaq", "Altyn"}

// LongCSV writes a long polling-station table of about rows rows (a row per
// station and party, the station's figures repeated) and returns its path
// and size. The table is consistent: parties sum to valid, valid + invalid
// to cast, cast <= registered. The same arguments give the same bytes.
func LongCSV(dir string, rows int, seed uint64) (string, int64, error) {
	path := filepath.Join(dir, fmt.Sprintf("long-%d.csv", rows))
	f, err := os.Create(path)
	if err != nil {
		return "", 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 2021))
	fmt.Fprintln(w, "region,district,precinct_id,party,votes,registered,ballots_cast,invalid")
	stations := max(1, rows/len(Parties))
	votes := make([]int, len(Parties))
	for s := 1; s <= stations; s++ {
		registered, cast, invalid, _ := station(rng, votes)
		region := fmt.Sprintf("Область %d", s%17+1)
		district := fmt.Sprintf("Район %d-%d", s%17+1, s%211)
		for i, p := range Parties {
			q := p
			if p == "Birlik, United" {
				q = `"Birlik, United"`
			}
			fmt.Fprintf(w, "%s,%s,%d,%s,%d,%d,%d,%d\n", region, district, s, q, votes[i], registered, cast, invalid)
		}
	}
	size, err := finish(f, w)
	return path, size, err
}

// finish flushes w, closes f and returns the file's size.
func finish(f *os.File, w *bufio.Writer) (int64, error) {
	err := w.Flush()
	var size int64
	if st, serr := f.Stat(); err == nil && serr == nil {
		size = st.Size()
	} else if err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return size, err
}

// station draws one polling station's figures and fills votes (one per
// party) so that they sum to valid = cast - invalid, cast <= registered.
func station(rng *rand.Rand, votes []int) (registered, cast, invalid, valid int) {
	registered = 200 + rng.IntN(3000)
	cast = registered * (30 + rng.IntN(60)) / 100
	invalid = rng.IntN(1 + cast/40)
	valid = cast - invalid
	left := valid
	for i := range votes {
		v := left
		if i < len(votes)-1 {
			v = rng.IntN(1 + left/2)
		}
		votes[i], left = v, left-v
	}
	return registered, cast, invalid, valid
}

// LongSpec writes a spec reading a LongCSV file and returns its path.
func LongSpec(dir, csvPath string) (string, error) {
	spec := fmt.Sprintf(`election: {id: synthetic}
contests: [{id: national, seats: 98, method: hare, threshold: {percent: 7}}]
sources:
  - path: %q
    layout: long
    unit_level: precinct
    columns: {unit_id: precinct_id, parent: district, option: party, votes: votes, registered: registered, ballots_cast: ballots_cast, invalid: invalid}
`, csvPath)
	p := filepath.Join(dir, "spec.yaml")
	return p, os.WriteFile(p, []byte(spec), 0o644)
}
