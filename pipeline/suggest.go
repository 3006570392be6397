package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"tally/report"
)

// A name that matches no party, even folded and transliterated, is never
// merged with one: it is kept under its own id and reported
// (unknown-option), with the closest parties the spec knows. Closest
// compares the transliterated forms of the name and of every party's id,
// name and aliases, leaving out numbers and the words several parties
// share ("political party"): as a whole (a typo), and word by word (the
// words of one found, give or take a letter, among the other's: "Yabloko"
// in `Партия "ЯБЛОКО"`). SuggestAliases and AliasPatch turn the
// suggestions into a patch to the spec for a person to review.

// Closest returns up to n parties whose names come closest to name, best
// first; none when nothing is close.
func (a *Aliases) Closest(name string, n int) []Party {
	common := a.commonWords()
	slug := significant(Slug(name), common)
	if slug == "" {
		return nil
	}
	words := strings.Split(slug, "-")
	type cand struct {
		party int
		score int
	}
	best := map[int]int{}
	for i, p := range a.Parties {
		for _, k := range append([]string{p.ID, p.Name}, p.Aliases...) {
			ks := significant(Slug(k), common)
			if ks == "" {
				continue
			}
			kw := strings.Split(ks, "-")
			d := levenshtein(slug, ks)
			missK, missN := unmatched(kw, words), unmatched(words, kw)
			score := -1
			switch {
			case d <= 2 && min(len(slug), len(ks)) > 2*d:
				// A typo or a space: "Nur Otn", "NurOtan".
				score = d
			case missK == 0 || missN == 0 || missK+missN <= 1:
				// The same words give or take a letter, one within the
				// other: "Adal Party", `Партия "ЯБЛОКО"` for Yabloko.
				score = 100*(missK+missN) + d
			}
			if score < 0 {
				continue
			}
			if old, ok := best[i]; !ok || score < old {
				best[i] = score
			}
		}
	}
	cands := make([]cand, 0, len(best))
	for i, s := range best {
		cands = append(cands, cand{i, s})
	}
	sort.Slice(cands, func(x, y int) bool {
		if cands[x].score != cands[y].score {
			return cands[x].score < cands[y].score
		}
		return cands[x].party < cands[y].party
	})
	var out []Party
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, a.Parties[c.party])
	}
	return out
}

// commonWords returns the words that do not tell parties apart: those in
// the names of two parties or more ("political", "party").
func (a *Aliases) commonWords() map[string]bool {
	if a.common != nil {
		return a.common
	}
	seen := map[string]int{}
	for i, p := range a.Parties {
		for _, k := range append([]string{p.ID, p.Name}, p.Aliases...) {
			for _, w := range strings.Split(Slug(k), "-") {
				if last, ok := seen[w]; !ok {
					seen[w] = i
				} else if last != i {
					seen[w] = -1
				}
			}
		}
	}
	a.common = map[string]bool{}
	for w, i := range seen {
		if i < 0 {
			a.common[w] = true
		}
	}
	return a.common
}

// significant drops from a slug the words that do not tell names apart:
// common words and numbers ("5. Political party ..."). A name made only of
// them stays whole.
func significant(slug string, common map[string]bool) string {
	var keep []string
	for _, w := range strings.Split(slug, "-") {
		if w == "" || common[w] || strings.Trim(w, "0123456789") == "" {
			continue
		}
		keep = append(keep, w)
	}
	if len(keep) == 0 {
		return slug
	}
	return strings.Join(keep, "-")
}

// unmatched counts the words of a that have no close word in b: the same,
// or a letter apart in words of four letters or more.
func unmatched(a, b []string) int {
	n := 0
	for _, w := range a {
		ok := false
		for _, x := range b {
			if x == w || len(w) >= 4 && levenshtein(x, w) <= max(1, len(w)/5) {
				ok = true
				break
			}
		}
		if !ok {
			n++
		}
	}
	return n
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// unknownOptionFinding reports a name that matches no party: Actual is the
// name as written, Expected the id of the closest party, if any.
func unknownOptionFinding(a *Aliases, name, id string, pos report.Position) report.Finding {
	f := report.Finding{Severity: report.Warning, Code: report.UnknownOption, Pos: pos, OptionID: id, Actual: name}
	close := a.Closest(name, 3)
	if len(close) == 0 {
		f.Message = fmt.Sprintf("option %q matches no party or alias in the spec, and none comes close; it is kept as %q (add it as a party, or as an alias of one)", name, id)
		return f
	}
	f.Expected = close[0].ID
	var names []string
	for _, p := range close {
		names = append(names, fmt.Sprintf("%s (%q)", p.ID, p.Name))
	}
	f.Message = fmt.Sprintf("option %q matches no party or alias in the spec; it is kept as %q. Closest: %s; tally suggest-aliases writes them as a patch to the spec",
		name, id, strings.Join(names, ", "))
	return f
}

// AliasSuggestion is a name the sources use that could be an alias of a
// party the spec declares.
type AliasSuggestion struct {
	Name  string          // as the source writes it
	Party string          // id of the closest party; "" when none is close
	Pos   report.Position // where the name was first seen
}

// SuggestAliases runs the spec without writing anything and returns, for
// every option name that matches no party, the closest party, in the order
// of the findings.
func SuggestAliases(ctx context.Context, spec *Spec) ([]AliasSuggestion, error) {
	sum, err := Run(ctx, spec, Options{})
	if err != nil {
		return nil, err
	}
	defer sum.Close()
	var out []AliasSuggestion
	seen := map[string]bool{}
	err = sum.EachFinding(func(f *report.Finding) error {
		if f.Code != report.UnknownOption || seen[f.Actual] {
			return nil
		}
		seen[f.Actual] = true
		out = append(out, AliasSuggestion{Name: f.Actual, Party: f.Expected, Pos: f.Pos})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AliasPatch returns a unified diff that adds each suggested name to the
// aliases of its party in the spec file, leaving the rest of the file as
// it is. Suggestions without a party are left out. It returns "" when
// there is nothing to add.
func AliasPatch(spec *Spec, sugg []AliasSuggestion) (string, error) {
	data, err := os.ReadFile(spec.Path)
	if err != nil {
		return "", err
	}
	file, err := parser.ParseBytes(data, 0)
	if err != nil || len(file.Docs) == 0 {
		return "", fmt.Errorf("%s: cannot parse the spec again: %v", spec.Path, err)
	}
	adds := map[int][]string{}
	var order []int
	for _, s := range sugg {
		if s.Party == "" {
			continue
		}
		for i, p := range spec.Parties {
			if p.ID == s.Party {
				if _, ok := adds[i]; !ok {
					order = append(order, i)
				}
				adds[i] = append(adds[i], s.Name)
			}
		}
	}
	if len(order) == 0 {
		return "", nil
	}
	parties := partiesNode(file.Docs[0].Body)
	if parties == nil || len(parties.Values) != len(spec.Parties) {
		return "", errors.New("the spec's parties: are not a list the patch can follow")
	}
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var edits []lineEdit
	for _, i := range order {
		e, err := aliasEdit(parties.Values[i], adds[i], lines)
		if err != nil {
			return "", fmt.Errorf("party %q: %w", spec.Parties[i].ID, err)
		}
		edits = append(edits, e)
	}
	return unifiedDiff("a/"+baseName(spec.Path), "b/"+baseName(spec.Path), diffOps(lines, edits)), nil
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// partiesNode finds the sequence under the spec's top-level parties: key.
func partiesNode(body ast.Node) *ast.SequenceNode {
	var values []*ast.MappingValueNode
	switch m := body.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	}
	for _, v := range values {
		if v.Key.String() == "parties" {
			seq, _ := v.Value.(*ast.SequenceNode)
			return seq
		}
	}
	return nil
}

// lineEdit inserts text into line (0-based) at byte col, or, with col < 0,
// inserts whole lines after line.
type lineEdit struct {
	line int
	col  int
	text string
}

func quoteYAML(s string) string { return strconv.Quote(s) }

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteYAML(n)
	}
	return strings.Join(q, ", ")
}

// aliasEdit adds names to one party's aliases, in the style the party is
// written in.
func aliasEdit(party ast.Node, names []string, lines []string) (lineEdit, error) {
	var values []*ast.MappingValueNode
	flow := false
	var end *ast.MappingNode
	switch m := party.(type) {
	case *ast.MappingNode:
		values, flow, end = m.Values, m.IsFlowStyle, m
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		return lineEdit{}, errors.New("not a mapping")
	}
	for _, v := range values {
		if v.Key.String() != "aliases" {
			continue
		}
		seq, ok := v.Value.(*ast.SequenceNode)
		if !ok {
			return lineEdit{}, errors.New("aliases is not a list")
		}
		if seq.IsFlowStyle {
			p := seq.End.Position
			sep := ", "
			if len(seq.Values) == 0 {
				sep = ""
			}
			return lineEdit{line: p.Line - 1, col: byteCol(lines[p.Line-1], p.Column-1), text: sep + quoteAll(names)}, nil
		}
		last := seq.Values[len(seq.Values)-1]
		line := lastLine(last)
		indent := strings.Repeat(" ", seq.Start.Position.Column-1)
		var b strings.Builder
		for _, n := range names {
			b.WriteString(indent + "- " + quoteYAML(n) + "\n")
		}
		return lineEdit{line: line - 1, col: -1, text: b.String()}, nil
	}
	if flow && end != nil {
		p := end.End.Position
		return lineEdit{line: p.Line - 1, col: byteCol(lines[p.Line-1], p.Column-1), text: ", aliases: [" + quoteAll(names) + "]"}, nil
	}
	line := 0
	for _, v := range values {
		line = max(line, lastLine(v.Value))
	}
	indent := strings.Repeat(" ", values[0].Key.GetToken().Position.Column-1)
	return lineEdit{line: line - 1, col: -1, text: indent + "aliases: [" + quoteAll(names) + "]\n"}, nil
}

// byteCol turns a 0-based column in characters into a byte offset.
func byteCol(line string, col int) int {
	n := 0
	for i := range line {
		if n == col {
			return i
		}
		n++
	}
	return len(line)
}

// lastLine returns the last line a node's text takes.
func lastLine(n ast.Node) int {
	switch v := n.(type) {
	case *ast.SequenceNode:
		if v.IsFlowStyle && v.End != nil {
			return v.End.Position.Line
		}
		if len(v.Values) > 0 {
			return lastLine(v.Values[len(v.Values)-1])
		}
	case *ast.MappingNode:
		if v.IsFlowStyle && v.End != nil {
			return v.End.Position.Line
		}
		line := 0
		for _, x := range v.Values {
			line = max(line, lastLine(x))
		}
		return line
	case *ast.MappingValueNode:
		return max(v.Key.GetToken().Position.Line, lastLine(v.Value))
	}
	if t := n.GetToken(); t != nil && t.Position != nil {
		return t.Position.Line
	}
	return 0
}

// diffOp is one line of a diff: kept (' '), removed ('-') or added ('+'),
// with its 0-based line numbers in the old and new files.
type diffOp struct {
	kind   byte
	text   string
	ai, bi int
}

// diffOps lists the lines of the file with the edits made: edits within a
// line (applied right to left) replace it, insertions follow it. It is
// linear in the file's size.
func diffOps(lines []string, edits []lineEdit) []diffOp {
	inline := map[int][]lineEdit{}
	insert := map[int][]string{}
	for _, e := range edits {
		if e.col >= 0 {
			inline[e.line] = append(inline[e.line], e)
			continue
		}
		ins := strings.SplitAfter(e.text, "\n")
		if ins[len(ins)-1] == "" {
			ins = ins[:len(ins)-1]
		}
		insert[e.line] = append(insert[e.line], ins...)
	}
	var ops []diffOp
	bi := 0
	for ai, l := range lines {
		if es := inline[ai]; len(es) > 0 {
			sort.Slice(es, func(i, j int) bool { return es[i].col > es[j].col })
			nl := l
			for _, e := range es {
				nl = nl[:e.col] + e.text + nl[e.col:]
			}
			ops = append(ops, diffOp{'-', l, ai, bi}, diffOp{'+', nl, ai + 1, bi})
			l = nl
		} else {
			ops = append(ops, diffOp{' ', l, ai, bi})
		}
		bi++
		if ins := insert[ai]; len(ins) > 0 {
			if !strings.HasSuffix(l, "\n") {
				// The last line had no newline: it gets one before the
				// added lines.
				if ops[len(ops)-1].kind == ' ' {
					ops[len(ops)-1].kind = '-'
					ops = append(ops, diffOp{'+', l + "\n", ai + 1, bi - 1})
				} else {
					ops[len(ops)-1].text += "\n"
				}
			}
			for _, t := range ins {
				ops = append(ops, diffOp{'+', t, ai + 1, bi})
				bi++
			}
		}
	}
	return ops
}

// unifiedDiff renders diff lines as a unified diff with three lines of
// context.
func unifiedDiff(aName, bName string, ops []diffOp) string {
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	const ctx = 3
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		start := max(0, k-ctx)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run-end > 2*ctx || run == len(ops) {
				end = min(end+ctx, len(ops))
				break
			}
			end = run
		}
		al, bl := 0, 0
		for _, o := range ops[start:end] {
			if o.kind != '+' {
				al++
			}
			if o.kind != '-' {
				bl++
			}
		}
		fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@\n", ops[start].ai+1, al, ops[start].bi+1, bl)
		for _, o := range ops[start:end] {
			out.WriteByte(o.kind)
			out.WriteString(o.text)
			if !strings.HasSuffix(o.text, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		k = end
	}
	return out.String()
}
