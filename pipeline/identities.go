package pipeline

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"tally/report"
)

// Protocol arithmetic is a set of identities between a unit's figures,
// checked in every unit that has all the figures an identity names. The
// built-in ones come first, each with a code of its own; a spec adds more
// under checks.identities, using the five standard figures, "options"
// (the sum of the options' votes) and the protocol lines it names under
// checks.figures:
//
//	checks:
//	  figures:
//	    received: "Число бюллетеней, полученных участковой избирательной комиссией"
//	    unused: "Число погашенных бюллетеней"
//	  identities:
//	    - received = ballots_issued + unused
//	    - ballots_cast <= ballots_issued
//
// An identity is a sum of terms, a relation (=, <=, <, >=, >) and another
// sum. A declared identity that fails is an identity-mismatch finding at
// the cell of the first figure of its left side.

type relation int

const (
	relEq relation = iota
	relLE
	relLT
	relGE
	relGT
)

var relWords = []struct {
	op  string
	rel relation
}{{"<=", relLE}, {">=", relGE}, {"==", relEq}, {"=", relEq}, {"<", relLT}, {">", relGT}}

func (r relation) holds(a, b int64) bool {
	switch r {
	case relLE:
		return a <= b
	case relLT:
		return a < b
	case relGE:
		return a >= b
	case relGT:
		return a > b
	}
	return a == b
}

func (r relation) String() string {
	for _, w := range relWords {
		if w.rel == r {
			return w.op
		}
	}
	return "?"
}

// termOptions is the term index of the options' sum.
const termOptions = -1

type term struct {
	neg  bool
	name string
	fig  int // index of the figure: standard ones first, then the spec's extra lines; termOptions for the options' sum
}

// identity is one protocol identity.
type identity struct {
	text        string
	left, right []term
	rel         relation
	code        report.Code
	// at is the figure whose cell the finding points to; expected is the
	// side taken as the reference (0 left, 1 right).
	at       int
	expected int
	// message, for built-in identities, words the finding as tally always
	// has; nil uses the generic wording.
	message func(b []byte, u *unitBuf, l, r int64) []byte
}

// figureAliases are other names the identities accept for the standard
// figures.
var figureAliases = map[string]Figure{
	"registered": FigRegistered, "electorate": FigRegistered,
	"ballots_issued": FigIssued, "issued": FigIssued,
	"ballots_cast": FigCast, "cast": FigCast,
	"invalid": FigInvalid, "valid": FigValid,
}

// builtinIdentities are the protocol arithmetic every run checks.
func builtinIdentities() []identity {
	mk := func(text string, code report.Code, at Figure, expected int, msg func(b []byte, u *unitBuf, l, r int64) []byte) identity {
		id, err := parseIdentity(text, nil)
		if err != nil {
			panic(err)
		}
		id.code, id.at, id.expected, id.message = code, int(at), expected, msg
		return id
	}
	// The messages are appended to a buffer, not formatted: a spec that
	// maps one wrong column makes one for every unit.
	return []identity{
		mk("options = valid", report.VotesSumMismatch, FigValid, 1, func(b []byte, u *unitBuf, sum, valid int64) []byte {
			// options of unit %q sum to %d, but valid ballots are %d (difference %+d)
			b = appendQuoted(append(b, "options of unit "...), u.id)
			b = strconv.AppendInt(append(b, " sum to "...), sum, 10)
			b = strconv.AppendInt(append(b, ", but valid ballots are "...), valid, 10)
			return append(appendSigned(append(b, " (difference "...), sum-valid), ')')
		}),
		mk("valid + invalid = ballots_cast", report.ValidInvalidMismatch, FigCast, 1, func(b []byte, u *unitBuf, vi, cast int64) []byte {
			// valid %d + invalid %d = %d, but ballots cast are %d in unit %q
			b = strconv.AppendInt(append(b, "valid "...), u.fig[FigValid].v.v, 10)
			b = strconv.AppendInt(append(b, " + invalid "...), u.fig[FigInvalid].v.v, 10)
			b = strconv.AppendInt(append(b, " = "...), vi, 10)
			b = strconv.AppendInt(append(b, ", but ballots cast are "...), cast, 10)
			return appendQuoted(append(b, " in unit "...), u.id)
		}),
		mk("ballots_cast <= registered", report.CastOverRegistered, FigCast, 1, exceeds("ballots cast", "registered voters")),
		mk("ballots_cast <= ballots_issued", report.CastOverIssued, FigCast, 1, exceeds("ballots cast", "ballots issued")),
		mk("ballots_issued <= registered", report.IssuedOverRegistered, FigIssued, 1, exceeds("ballots issued", "registered voters")),
	}
}

// exceeds words the finding of a figure over its bound: "<more> %d
// exceed <bound> %d in unit %q".
func exceeds(more, bound string) func(b []byte, u *unitBuf, l, r int64) []byte {
	return func(b []byte, u *unitBuf, l, r int64) []byte {
		b = strconv.AppendInt(append(append(b, more...), ' '), l, 10)
		b = strconv.AppendInt(append(append(append(b, " exceed "...), bound...), ' '), r, 10)
		return appendQuoted(append(b, " in unit "...), u.id)
	}
}

// appendQuoted appends s as fmt's %q writes it: printable ASCII as it
// is, between double quotes; anything else as strconv.Quote escapes it.
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendSigned appends v as fmt's %+d writes it: with its sign, "+0".
func appendSigned(b []byte, v int64) []byte {
	if v >= 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, v, 10)
}

// parseIdentity reads "a + b - c = d"; extra lists the spec's own figure
// names, which follow the standard ones.
func parseIdentity(text string, extra []string) (identity, error) {
	id := identity{text: strings.TrimSpace(text), code: report.IdentityMismatch, at: -2}
	op, at := "", -1
	for _, w := range relWords {
		if i := strings.Index(text, w.op); i >= 0 && (at < 0 || i < at || i == at && len(w.op) > len(op)) {
			op, at, id.rel = w.op, i, w.rel
		}
	}
	if at < 0 {
		return id, fmt.Errorf("identity %q has no relation (=, <=, <, >=, >)", text)
	}
	var err error
	if id.left, err = parseTerms(text[:at], extra); err != nil {
		return id, fmt.Errorf("identity %q: %w", text, err)
	}
	rest := text[at+len(op):]
	for _, w := range relWords {
		if strings.Contains(rest, w.op) {
			return id, fmt.Errorf("identity %q has more than one relation", text)
		}
	}
	if id.right, err = parseTerms(rest, extra); err != nil {
		return id, fmt.Errorf("identity %q: %w", text, err)
	}
	for _, t := range id.left {
		if t.fig != termOptions {
			id.at = t.fig
			break
		}
	}
	if id.at == -2 {
		for _, t := range id.right {
			if t.fig != termOptions {
				id.at = t.fig
				break
			}
		}
	}
	id.expected = 1
	return id, nil
}

func parseTerms(s string, extra []string) ([]term, error) {
	var out []term
	neg := false
	expectName := true
	for _, tok := range tokens(s) {
		switch {
		case tok == "+" || tok == "-":
			if !expectName {
				// A binary sign between two terms.
				neg, expectName = tok == "-", true
			} else if tok == "-" {
				neg = !neg
			}
		case expectName:
			t := term{neg: neg, name: tok, fig: -2}
			switch {
			case tok == "options":
				t.fig = termOptions
			default:
				if f, ok := figureAliases[tok]; ok {
					t.fig = int(f)
				}
				for i, n := range extra {
					if n == tok {
						t.fig = int(numFigures) + i
					}
				}
			}
			if t.fig == -2 {
				known := []string{"options", "registered", "ballots_issued", "ballots_cast", "invalid", "valid"}
				known = append(known, extra...)
				return nil, fmt.Errorf("unknown figure %q; known: %s", tok, strings.Join(known, ", "))
			}
			out = append(out, t)
			neg, expectName = false, false
		default:
			return nil, fmt.Errorf("%q must be joined to the figure before it by + or -", tok)
		}
	}
	if len(out) == 0 || expectName {
		return nil, fmt.Errorf("a side of the relation is empty or ends with a sign")
	}
	return out, nil
}

// tokens splits a side of an identity into names and signs.
func tokens(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '+' || r == '-':
			flush()
			out = append(out, string(r))
		case unicode.IsSpace(r):
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// unitValues is what an identity reads from a unit.
type unitValues struct {
	u        *unitBuf
	sum      int64
	hasVotes bool
}

func (v unitValues) get(fig int) (int64, bool) {
	switch {
	case fig == termOptions:
		return v.sum, v.hasVotes
	case fig < int(numFigures):
		f := v.u.fig[fig].v
		return f.v, f.ok
	case fig-int(numFigures) < len(v.u.extra):
		f := v.u.extra[fig-int(numFigures)].v
		return f.v, f.ok
	}
	return 0, false
}

func (v unitValues) pos(fig int) report.Position {
	switch {
	case fig >= 0 && fig < int(numFigures):
		return v.u.fig[fig].pos
	case fig >= int(numFigures) && fig-int(numFigures) < len(v.u.extra):
		return v.u.extra[fig-int(numFigures)].pos
	}
	return v.u.pos
}

func (v unitValues) side(ts []term) (int64, bool) {
	var s int64
	for _, t := range ts {
		x, ok := v.get(t.fig)
		if !ok {
			return 0, false
		}
		if t.neg {
			x = -x
		}
		s += x
	}
	return s, true
}

// checkIdentities checks every identity in a unit that has its figures.
func (sr *sourceReader) checkIdentities(u *unitBuf, sum int64, hasVotes bool) {
	v := unitValues{u: u, sum: sum, hasVotes: hasVotes}
	ids := builtins
	if cs := sr.r.spec.checks; cs != nil {
		ids = cs.identities
	}
	for i := range ids {
		id := &ids[i]
		l, ok := v.side(id.left)
		if !ok {
			continue
		}
		r, ok := v.side(id.right)
		if !ok || id.rel.holds(l, r) {
			continue
		}
		exp, act := r, l
		if id.expected == 0 {
			exp, act = l, r
		}
		b := sr.text[:0]
		if id.message != nil {
			b = id.message(b, u, l, r)
		} else {
			// identity %q fails in unit %q: %s is %d, %s is %d (difference %+d)
			b = appendQuoted(append(b, "identity "...), id.text)
			b = appendQuoted(append(b, " fails in unit "...), u.id)
			b = strconv.AppendInt(append(append(append(b, ": "...), sideText(id.left)...), " is "...), l, 10)
			b = strconv.AppendInt(append(append(append(b, ", "...), sideText(id.right)...), " is "...), r, 10)
			b = append(appendSigned(append(b, " (difference "...), l-r), ')')
		}
		m := len(b)
		b = strconv.AppendInt(b, exp, 10)
		e := len(b)
		b = strconv.AppendInt(b, act, 10)
		sr.text = b
		// The recorder copies the texts: they stay in the buffer.
		sr.r.rec.Add(report.Finding{Severity: report.Error, Code: id.code, Pos: v.pos(id.at), UnitID: u.id,
			Message: report.Text(b[:m]), Expected: report.Text(b[m:e]), Actual: report.Text(b[e:])})
	}
}

// builtins is the identity set of a spec that declares none.
var builtins = builtinIdentities()

func sideText(ts []term) string {
	var b strings.Builder
	for i, t := range ts {
		switch {
		case i > 0 && t.neg:
			b.WriteString(" - ")
		case i > 0:
			b.WriteString(" + ")
		case t.neg:
			b.WriteString("-")
		}
		b.WriteString(t.name)
	}
	return b.String()
}
