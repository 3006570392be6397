package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"tally/electoral"
	"tally/report"
)

// Spec is a pipeline spec: what election the sources hold, how to read
// them, how seats are allocated and where outputs go. It is decoded from
// YAML strictly: an unknown key is an error naming its line.
type Spec struct {
	Election Election  `yaml:"election"`
	Contests []Contest `yaml:"contests"`
	Parties  []Party   `yaml:"parties"`
	Sources  []Source  `yaml:"sources"`
	Checks   Checks    `yaml:"checks"`
	Outputs  Outputs   `yaml:"outputs"`

	// Path is the spec file; Dir is its folder, against which source
	// paths are resolved. Hash is the sha256 of the spec's bytes.
	Path string `yaml:"-"`
	Dir  string `yaml:"-"`
	Hash string `yaml:"-"`

	file   *ast.File
	checks *checkSet // compiled from Checks by compileChecks
}

// Election names the election; ID goes into every output row.
type Election struct {
	ID      string `yaml:"id"`
	Date    string `yaml:"date"`
	Country string `yaml:"country"`
	Name    string `yaml:"name"`
}

// Contest is one thing being decided: a list-PR constituency (seats > 0)
// or a candidate contest (an office in a district).
type Contest struct {
	ID            string         `yaml:"id"`
	Name          string         `yaml:"name"`
	Seats         int            `yaml:"seats"`
	Method        string         `yaml:"method"`
	Threshold     *Threshold     `yaml:"threshold"`
	MinQualified  int            `yaml:"min_qualified"`
	FirstDivisor  string         `yaml:"first_divisor"`
	TieBreak      string         `yaml:"tie_break"`
	Seed          int64          `yaml:"seed"`
	ReservedSeats int            `yaml:"reserved_seats"`
	DeclaredSeats map[string]int `yaml:"declared_seats"`
	Districts     *Districts     `yaml:"districts"`
}

// Districts splits a list-PR contest into districts, each with its own
// seats: the districts are the units' parents (by: parent, the default) or
// the units themselves (by: unit). The threshold is measured nationally
// (the default) or in each district. The seats table then has a row per
// district and list (contest_id "CONTEST/DISTRICT") and a national summary
// per list (contest_id "CONTEST").
type Districts struct {
	By        string         `yaml:"by"`
	Seats     map[string]int `yaml:"seats"`
	Threshold string         `yaml:"threshold"`
}

// Threshold is a legal threshold: a percent or an exact fraction ("1/150")
// of the base, which is valid votes (the default) or all ballots cast.
type Threshold struct {
	Percent  string `yaml:"percent"`
	Fraction string `yaml:"fraction"`
	Base     string `yaml:"base"`
}

// Party is a ballot option the spec knows: a party list, a candidate, or a
// non-party line such as "against all". Aliases are every spelling the
// sources use; matching folds case, quotes, dashes, spaces and look-alike
// Latin and Cyrillic letters.
type Party struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Kind    string   `yaml:"kind"`
	Party   string   `yaml:"party"`
	Aliases []string `yaml:"aliases"`
}

// Source says how to read one input file.
type Source struct {
	Path       string     `yaml:"path"`
	Format     string     `yaml:"format"`
	Member     string     `yaml:"member"`
	Encoding   string     `yaml:"encoding"`
	Delimiter  string     `yaml:"delimiter"`
	Sheet      StringList `yaml:"sheet"`
	HeaderRow  int        `yaml:"header_row"`
	HeaderRows int        `yaml:"header_rows"`
	Layout     string     `yaml:"layout"`
	Contest    string     `yaml:"contest"`
	UnitLevel  string     `yaml:"unit_level"`
	Unit       *FixedUnit `yaml:"unit"`
	Columns    Columns    `yaml:"columns"`

	// OnlyColumns keeps, of the columns whose multi-row header has variant
	// parts (Erststimmen/Zweitstimmen, Endgültig/Vorperiode), those that
	// have every part listed.
	OnlyColumns StringList `yaml:"only_columns"`
	// Levels give each row's unit a level from a column's value, top
	// level first; an entry with no column takes every other row.
	Levels []LevelRule `yaml:"levels"`
	// ContestFrom makes each table its own contest: "title" (the row above
	// a stacked table's header) or "sheet".
	ContestFrom string `yaml:"contest_from"`
	// Reference marks a source of official figures (a summary sheet, an
	// amended or original version) that the other sources of its contest
	// are compared with, unit by unit and in total. Its rows are read and
	// counted as used, but not written to results or units.
	Reference bool `yaml:"reference"`
	// FillDown names columns whose blank cells repeat the value above them
	// (a county named once above its precincts).
	FillDown StringList `yaml:"fill_down"`
}

// LevelRule gives rows whose Column holds Value the unit level Level.
type LevelRule struct {
	Level  string `yaml:"level"`
	Column string `yaml:"column"`
	Value  string `yaml:"value"`
	// Match, instead of Value, takes rows whose cell matches a pattern
	// ("District *"; path.Match syntax).
	Match string `yaml:"match"`
}

// FixedUnit names the one reporting unit every row of a source reports (a
// national protocol); unit columns of the sheet are then ignored.
type FixedUnit struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
}

// Columns names the header of each column with a role. Every entry is a
// hint; roles left empty are found from the header text.
type Columns struct {
	UnitID        string `yaml:"unit_id"`
	UnitName      string `yaml:"unit_name"`
	Parent        string `yaml:"parent"`
	Registered    string `yaml:"registered"`
	BallotsIssued string `yaml:"ballots_issued"`
	BallotsCast   string `yaml:"ballots_cast"`
	Invalid       string `yaml:"invalid"`
	Valid         string `yaml:"valid"`
	Option        string `yaml:"option"`
	Votes         string `yaml:"votes"`
	Share         string `yaml:"share"`
	Seats         string `yaml:"seats"`
	// Ignore lists headers of columns that hold no result (running
	// totals, checksums), so they are not read as options.
	Ignore StringList `yaml:"ignore"`
}

// Checks tunes validation.
type Checks struct {
	// ShareTolerance is the largest accepted difference, in percentage
	// points, between a declared and a computed share. Zero derives it
	// from the decimals printed: 71.09 allows [71.085, 71.095).
	ShareTolerance float64 `yaml:"share_tolerance"`
	// FailOn is the default of --fail-on: error, warning or never.
	FailOn string `yaml:"fail_on"`
	// Ledger is a file of known discrepancies, relative to the spec's
	// folder: findings it lists are reported as accepted (see ledger.go).
	Ledger string `yaml:"ledger"`
	// Figures names protocol lines beyond the five standard figures
	// (ballots received, issued early, spoiled...), each by the header of
	// its column, so that Identities can use them.
	Figures map[string]string `yaml:"figures"`
	// Identities are protocol identities every unit must satisfy where it
	// has the figures, besides the built-in ones: "valid + invalid =
	// ballots_cast", "received = issued + unused + spoiled".
	Identities []string `yaml:"identities"`
}

// Outputs says where and in which formats tables are written.
type Outputs struct {
	Dir     string   `yaml:"dir"`
	Formats []string `yaml:"formats"`
	// PartitionBy writes each table that has these columns as Hive-style
	// folders, one per value (results/election_id=x/unit_level=y/), the
	// columns moved from the files into the folder names. Allowed:
	// PartitionColumns.
	PartitionBy []string `yaml:"partition_by"`
}

// StringList accepts a single string or a list of strings.
type StringList []string

// UnmarshalYAML implements yaml.InterfaceUnmarshaler.
func (s *StringList) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*s = many
	return nil
}

// Known values of enumerated spec fields.
var (
	Layouts     = []string{"auto", "long", "transposed", "wide"}
	OutFormats  = []string{"arrow", "csv", "parquet"}
	OptionKinds = []string{"against_all", "blank", "candidate", "list", "other", "write_in"}
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// LoadSpec reads and checks a spec file. Every problem found is reported,
// one per line, each with its place in the file; the error is marked
// report.UsageError (or report.InputError when the file cannot be read).
func LoadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, report.At(report.Position{File: path}, report.UsageError(errors.New("spec file not found")))
		}
		return nil, report.At(report.Position{File: path}, report.InputError(err))
	}
	return ParseSpec(path, data)
}

// ParseSpec decodes and checks a spec held in memory; path names it in
// messages and anchors relative source paths.
func ParseSpec(path string, data []byte) (*Spec, error) {
	var s Spec
	if err := yaml.UnmarshalWithOptions(data, &s, yaml.Strict()); err != nil {
		return nil, report.UsageError(yamlError(path, err))
	}
	f, err := parser.ParseBytes(data, 0)
	if err == nil {
		s.file = f
	}
	sum := sha256.Sum256(data)
	s.Path, s.Dir, s.Hash = path, filepath.Dir(path), hex.EncodeToString(sum[:])
	if err := s.check(); err != nil {
		return nil, report.UsageError(err)
	}
	return &s, nil
}

func yamlError(path string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		pos := report.Position{File: path}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			pos.Row, pos.Column = tk.Position.Line, tk.Position.Column
		}
		msg := ye.GetMessage()
		if strings.HasPrefix(msg, "unknown field") {
			msg += "; check its spelling (see the spec reference in README.md)"
		}
		return report.At(pos, errors.New(msg))
	}
	return report.At(report.Position{File: path}, err)
}

// at returns the position of a YAML path such as "$.contests[0].method".
func (s *Spec) at(yamlPath string) report.Position {
	pos := report.Position{File: s.Path}
	if s.file == nil {
		return pos
	}
	p, err := yaml.PathString(yamlPath)
	if err != nil {
		return pos
	}
	n, err := p.FilterFile(s.file)
	if err != nil || n == nil {
		return pos
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		pos.Row, pos.Column = tk.Position.Line, tk.Position.Column
	}
	return pos
}

// specErrors collects every problem found in a spec.
type specErrors []error

func (e specErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "\n")
}

func (s *Spec) check() error {
	var errs specErrors
	bad := func(path, format string, args ...any) {
		errs = append(errs, report.At(s.at(path), fmt.Errorf(format, args...)))
	}
	if s.Election.ID == "" {
		bad("$.election", "election.id is required (for example kz-majilis-2021)")
	} else if !idPattern.MatchString(s.Election.ID) {
		bad("$.election.id", "election.id %q must be lower case letters, digits, '.', '_' or '-'", s.Election.ID)
	}
	if len(s.Sources) == 0 {
		bad("$", "at least one entry under sources: is required")
	}
	contests := map[string]bool{}
	for i, c := range s.Contests {
		p := fmt.Sprintf("$.contests[%d]", i)
		if c.ID == "" {
			bad(p, "contests[%d].id is required", i)
		} else if contests[c.ID] {
			bad(p+".id", "contest %q is declared twice", c.ID)
		}
		contests[c.ID] = true
		if c.Seats < 0 {
			bad(p+".seats", "seats must not be negative")
		}
		if d := c.Districts; d != nil {
			total := 0
			for _, k := range sortedKeys(d.Seats) {
				if d.Seats[k] <= 0 {
					bad(p+".districts.seats", "district %q must have at least one seat", k)
				}
				total += d.Seats[k]
			}
			switch {
			case len(d.Seats) == 0:
				bad(p+".districts", "districts needs seats: a map from district id to its seats")
			case c.Seats == 0:
				s.Contests[i].Seats = total
				c.Seats = total
			case c.Seats != total:
				bad(p+".seats", "contest %q has %d seats, but its districts add up to %d", c.ID, c.Seats, total)
			}
			if d.By != "" && d.By != "parent" && d.By != "unit" {
				bad(p+".districts.by", "districts.by %q must be parent or unit", d.By)
			}
			if d.Threshold != "" && d.Threshold != "national" && d.Threshold != "district" {
				bad(p+".districts.threshold", "districts.threshold %q must be national or district", d.Threshold)
			}
		}
		if c.Seats > 0 {
			if c.Method == "" {
				bad(p, "contest %q has seats but no method; known: %s", c.ID, strings.Join(MethodNames(), ", "))
			} else if !knownMethod(c.Method) {
				bad(p+".method", "unknown method %q; known: %s", c.Method, strings.Join(MethodNames(), ", "))
			}
		}
		if t := c.Threshold; t != nil {
			if (t.Percent == "") == (t.Fraction == "") {
				bad(p+".threshold", "threshold needs exactly one of percent: or fraction:")
			} else if _, err := t.Rat(); err != nil {
				bad(p+".threshold", "%v", err)
			}
			if t.Base != "" && t.Base != "valid" && t.Base != "cast" {
				bad(p+".threshold.base", "threshold base %q must be valid or cast", t.Base)
			}
		}
		switch c.TieBreak {
		case "", "error", "order", "lot":
		default:
			bad(p+".tie_break", "tie_break %q must be error, order or lot", c.TieBreak)
		}
	}
	parties := map[string]bool{}
	for i, pt := range s.Parties {
		p := fmt.Sprintf("$.parties[%d]", i)
		switch {
		case pt.ID == "":
			bad(p, "parties[%d].id is required", i)
		case !idPattern.MatchString(pt.ID):
			bad(p+".id", "party id %q must be lower case letters, digits, '.', '_' or '-'", pt.ID)
		case parties[pt.ID]:
			bad(p+".id", "party %q is declared twice", pt.ID)
		}
		parties[pt.ID] = true
		if pt.Kind != "" && !contains(OptionKinds, pt.Kind) {
			bad(p+".kind", "kind %q; known: %s", pt.Kind, strings.Join(OptionKinds, ", "))
		}
	}
	for i, c := range s.Contests {
		keys := make([]string, 0, len(c.DeclaredSeats))
		for k := range c.DeclaredSeats {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !parties[k] {
				bad(fmt.Sprintf("$.contests[%d].declared_seats", i), "declared_seats names %q, which is not a party id", k)
			}
		}
	}
	for i, src := range s.Sources {
		p := fmt.Sprintf("$.sources[%d]", i)
		if src.Path == "" {
			bad(p, "sources[%d].path is required", i)
		}
		if src.Layout != "" && !contains(Layouts, src.Layout) {
			bad(p+".layout", "layout %q; known: %s", src.Layout, strings.Join(Layouts, ", "))
		}
		if src.Contest != "" && !contests[src.Contest] {
			bad(p+".contest", "contest %q is not declared under contests:", src.Contest)
		}
		if src.Contest == "" && len(s.Contests) > 1 {
			bad(p, "sources[%d] must say which contest it holds (contest:), since the spec declares several", i)
		}
		switch src.ContestFrom {
		case "", "title", "sheet":
		default:
			bad(p+".contest_from", "contest_from %q must be title or sheet", src.ContestFrom)
		}
		for j, l := range src.Levels {
			if l.Level == "" {
				bad(fmt.Sprintf("%s.levels[%d]", p, j), "levels[%d].level is required", j)
			}
		}
		if src.HeaderRow < 0 || src.HeaderRows < 0 {
			bad(p, "header_row and header_rows must not be negative")
		}
	}
	for i, f := range s.Outputs.Formats {
		if !contains(OutFormats, f) {
			bad(fmt.Sprintf("$.outputs.formats[%d]", i), "output format %q; known: %s", f, strings.Join(OutFormats, ", "))
		}
	}
	for i, c := range s.Outputs.PartitionBy {
		if !contains(PartitionColumns, c) {
			bad(fmt.Sprintf("$.outputs.partition_by[%d]", i), "partition_by %q; known: %s", c, strings.Join(PartitionColumns, ", "))
		} else if contains(s.Outputs.PartitionBy[:i], c) {
			bad(fmt.Sprintf("$.outputs.partition_by[%d]", i), "partition_by names %q twice", c)
		}
	}
	if s.Checks.FailOn != "" {
		if _, err := ParseFailOn(s.Checks.FailOn); err != nil {
			bad("$.checks.fail_on", "%v", err)
		}
	}
	s.compileChecks(bad)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// SourcePath resolves a source path against the spec's folder.
func (s *Spec) SourcePath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Dir, p)
}

// ContestFor returns the contest a source feeds.
func (s *Spec) ContestFor(src Source) Contest {
	id := src.Contest
	for _, c := range s.Contests {
		if c.ID == id || id == "" {
			return c
		}
	}
	if id == "" {
		id = "national"
	}
	return Contest{ID: id}
}

// FailLevel is the --fail-on level: findings at or above it fail a run.
// Never is above every severity.
type FailLevel int

// Never fails no run on findings.
const Never FailLevel = 99

// ParseFailOn reads error, warning or never.
func ParseFailOn(s string) (FailLevel, error) {
	switch s {
	case "error":
		return FailLevel(report.Error), nil
	case "warning":
		return FailLevel(report.Warning), nil
	case "never":
		return Never, nil
	}
	return 0, fmt.Errorf("fail-on %q must be error, warning or never", s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Rat returns the threshold as an exact fraction of its base.
func (t *Threshold) Rat() (*big.Rat, error) {
	if t.Fraction != "" {
		if !strings.Contains(t.Fraction, "/") {
			return nil, fmt.Errorf("threshold fraction %q must be written a/b (for example 1/150)", t.Fraction)
		}
		return electoral.ParseThreshold(t.Fraction)
	}
	return electoral.ParseThreshold(t.Percent)
}

// MethodNames lists the seat allocation methods a contest may name.
func MethodNames() []string {
	var out []string
	for _, m := range electoral.Methods() {
		out = append(out, m.String())
	}
	return out
}

func knownMethod(name string) bool {
	_, err := electoral.ParseMethod(name)
	return err == nil
}
