package pipeline

import (
	"fmt"
	"strconv"

	"tally/report"
)

// reference compares the contest's data with its reference sources.
//
// Where the reference names units the data has (the same ids: an amended
// sheet beside the original, a county's file beside the state's), every
// figure and option's votes is compared unit by unit, and units found on
// one side only are reported. A total row of the reference that names no
// unit of the data (a national total beside a polling-station file), or
// the whole reference when it shares no unit with the data, is compared
// with the sum of the data's most detailed units, and the difference is
// localized as the hierarchy checks do.
//
// Both sides are read sorted by id and merged, so that a reference unit
// meets the data's first unit of its id without an index of either.
func (x *crossCheck) reference() error {
	s, ref := x.s, &x.c.refs
	refIDs, err := ref.byID()
	if err != nil {
		return err
	}
	defer refIDs.release()
	dataIdx := make(map[string]int, len(s.opts))
	for k, o := range s.opts {
		dataIdx[o.ID] = k
	}
	omap := make([]int, len(ref.opts))
	for i, o := range ref.opts {
		omap[i] = -1
		if k, ok := dataIdx[o.ID]; ok {
			omap[i] = k
		}
	}
	// toData maps a value index of the reference to the data's.
	toData := func(k int) int {
		if k < ref.nfig {
			return k
		}
		if j := omap[k-ref.nfig]; j >= 0 {
			return s.nfig + j
		}
		return -1
	}
	matched := 0
	levels := map[string]bool{}
	// Totals: the reference's total rows that name no unit of the data.
	var wholes []parent
	cur := newIDCursor(s, x.ids)
	var d urec
	err = ref.each(refIDs, func(rr *urec) bool {
		if !cur.first(rr.id, &d) {
			if ref.lvl(rr) == LevelTotal {
				wholes = append(wholes, x.refParent(rr.clone(), fmt.Sprintf("the reference's total row %q", string(rr.name)), toData))
			}
			return true
		}
		matched++
		levels[s.lvl(&d)] = true
		id := string(d.id)
		for k := range rr.n() {
			rv := rr.val(k)
			if rv == absent {
				continue
			}
			dk := toData(k)
			if dk < 0 {
				continue
			}
			dv := d.val(dk)
			if dv == rv {
				continue
			}
			here := "none"
			if dv != absent {
				here = strconv.FormatInt(dv, 10)
			}
			x.add(report.Finding{Severity: report.Error, Code: report.ReferenceMismatch, Pos: s.pos(&d, dk), UnitID: id, OptionID: x.optionID(dk),
				Expected: strconv.FormatInt(rv, 10), Actual: here,
				Message: fmt.Sprintf("%s of unit %q is %s here, but %d in the reference at %s", x.name(dk), id, here, rv, ref.pos(rr, k))})
		}
		return true
	})
	if err == nil {
		err = cur.err()
	}
	if err != nil {
		return err
	}
	if matched > 0 {
		cur := newIDCursor(s, x.ids)
		err := ref.each(refIDs, func(rr *urec) bool {
			if !cur.has(rr.id) {
				id := string(rr.id)
				x.add(report.Finding{Severity: report.Error, Code: report.ReferenceUnitMissing, Pos: ref.rowPos(rr), UnitID: id,
					Message: fmt.Sprintf("unit %q of the reference is not in the data", id)})
			}
			return true
		})
		if err == nil {
			err = cur.err()
		}
		if err != nil {
			return err
		}
		inRef := newIDCursor(ref, refIDs)
		err = s.each(x.ids, func(d *urec) bool {
			if levels[s.lvl(d)] && !inRef.has(d.id) {
				id := string(d.id)
				x.add(report.Finding{Severity: report.Error, Code: report.ReferenceUnitExtra, Pos: s.rowPos(d), UnitID: id,
					Message: fmt.Sprintf("unit %q is not in the reference, which lists the other %s units", id, s.lvl(d))})
			}
			return true
		})
		if err == nil {
			err = inRef.err()
		}
		if err != nil {
			return err
		}
	}
	// Or the whole reference, when it shares no unit with the data.
	if len(wholes) == 0 && matched == 0 {
		p, ok, err := x.refSum(toData)
		if err != nil {
			return err
		}
		if ok {
			wholes = append(wholes, p)
		}
	}
	if len(wholes) == 0 {
		return nil
	}
	lv, _ := x.c.allocationLevel()
	ks := kidSource{q: s.all(), n: -1, keep: func(u *urec) bool { return s.lvl(u) == lv }}
	for _, p := range wholes {
		err := x.compare(p, ks, report.ReferenceMismatch, func(n int) string { return fmt.Sprintf("%d %s units of the data", n, lv) }, nil)
		if err != nil {
			return err
		}
	}
	return nil
}

// refParent puts a reference unit's values in the data's value space; rr
// must outlive it.
func (x *crossCheck) refParent(rr *urec, desc string, toData func(int) int) parent {
	ref := &x.c.refs
	vals := make([]int64, x.s.nfig+len(x.s.opts))
	back := make([]int, len(vals))
	for k := range vals {
		vals[k] = absent
		back[k] = -1
	}
	for k := range rr.n() {
		v := rr.val(k)
		if dk := toData(k); dk >= 0 && dk < len(vals) {
			vals[dk] = v
			back[dk] = k
		}
	}
	return parent{id: string(rr.id), desc: desc, vals: vals, pos: func(k int) report.Position {
		if k >= 0 && k < len(back) && back[k] >= 0 {
			return ref.pos(rr, back[k])
		}
		return ref.rowPos(rr)
	}}
}

// refSum sums the reference's most detailed units, for a reference that
// lists units of another granularity than the data (regions beside
// polling stations).
func (x *crossCheck) refSum(toData func(int) int) (parent, bool, error) {
	ref := &x.c.refs
	counts := map[string]int{}
	var order []string
	err := ref.each(ref.all(), func(u *urec) bool {
		lv := ref.lvl(u)
		if isTotalLevel(lv) {
			return true
		}
		if counts[lv] == 0 {
			order = append(order, lv)
		}
		counts[lv]++
		return true
	})
	if err != nil {
		return parent{}, false, err
	}
	detail := ""
	for _, lv := range order {
		if detail == "" || counts[lv] > counts[detail] {
			detail = lv
		}
	}
	if detail == "" {
		return parent{}, false, nil
	}
	vals := make([]int64, x.s.nfig+len(x.s.opts))
	for k := range vals {
		vals[k] = absent
	}
	var pos report.Position
	first := true
	err = ref.each(ref.all(), func(rr *urec) bool {
		if ref.lvl(rr) != detail {
			return true
		}
		if first {
			pos, first = ref.rowPos(rr), false
		}
		for k := range rr.n() {
			v := rr.val(k)
			dk := toData(k)
			if v == absent || dk < 0 || dk >= len(vals) {
				continue
			}
			if vals[dk] == absent {
				vals[dk] = 0
			}
			vals[dk] += v
		}
		return true
	})
	if err != nil {
		return parent{}, false, err
	}
	pos.Row = 0
	return parent{id: "", desc: fmt.Sprintf("the reference's %d %s units", counts[detail], detail), vals: vals,
		pos: func(int) report.Position { return pos }}, true, nil
}
