// Command plot draws BENCHMARKS.md's figure: wall time and peak memory
// against input rows, one line per tool, as an SVG. It reads a TSV with
// the columns tool, rows, seconds, rss_mib (a header line first) and
// writes the SVG to stdout; both axes are logarithmic.
//
//	go run ./bench/plot < bench/scaling.tsv > bench/scaling.svg
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

type point struct{ rows, secs, rss float64 }

func main() {
	series, order, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	draw(w, series, order)
	w.Flush()
}

func read(r io.Reader) (map[string][]point, []string, error) {
	series := map[string][]point{}
	var order []string
	sc := bufio.NewScanner(r)
	for n := 0; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), "\t")
		if n == 0 || len(f) < 4 {
			continue
		}
		var p point
		var err error
		for i, dst := range []*float64{&p.rows, &p.secs, &p.rss} {
			if *dst, err = strconv.ParseFloat(f[i+1], 64); err != nil {
				return nil, nil, fmt.Errorf("line %d: %v", n+1, err)
			}
		}
		if _, ok := series[f[0]]; !ok {
			order = append(order, f[0])
		}
		series[f[0]] = append(series[f[0]], p)
	}
	for _, s := range series {
		slices.SortFunc(s, func(a, b point) int { return int(a.rows - b.rows) })
	}
	return series, order, sc.Err()
}

var colors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd"}

const (
	panelW, panelH = 420, 300
	left, top      = 70, 40
)

func draw(w io.Writer, series map[string][]point, order []string) {
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", 2*(panelW+left)+40, panelH+top+90)
	fmt.Fprintln(w, `<rect width="100%" height="100%" fill="white"/>`)
	panel(w, 0, "wall time (s)", series, order, func(p point) float64 { return p.secs })
	panel(w, panelW+left+40, "peak RSS (MiB)", series, order, func(p point) float64 { return p.rss })
	for i, name := range order {
		x := left + i*200
		y := panelH + top + 70
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", x, y, x+24, y, colors[i%len(colors)])
		fmt.Fprintf(w, `<text x="%d" y="%d">%s</text>`+"\n", x+30, y+4, name)
	}
	fmt.Fprintln(w, `</svg>`)
}

func panel(w io.Writer, x0 int, title string, series map[string][]point, order []string, val func(point) float64) {
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, p := range s {
			minX, maxX = math.Min(minX, p.rows), math.Max(maxX, p.rows)
			minY, maxY = math.Min(minY, val(p)), math.Max(maxY, val(p))
		}
	}
	lx0, lx1 := math.Floor(math.Log10(minX)), math.Ceil(math.Log10(maxX))
	ly0, ly1 := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
	px := func(v float64) float64 { return float64(x0+left) + (math.Log10(v)-lx0)/(lx1-lx0)*panelW }
	py := func(v float64) float64 { return float64(top+panelH) - (math.Log10(v)-ly0)/(ly1-ly0)*panelH }
	fmt.Fprintf(w, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", x0+left, top-15, title)
	fmt.Fprintf(w, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", x0+left, top, panelW, panelH)
	for e := lx0; e <= lx1; e++ {
		x := px(math.Pow(10, e))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, top, x, top+panelH)
		fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, top+panelH+16, human(math.Pow(10, e)))
	}
	for e := ly0; e <= ly1; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(w, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", x0+left, y, x0+left+panelW, y)
		fmt.Fprintf(w, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", x0+left-6, y+4, human(math.Pow(10, e)))
	}
	fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="middle">input rows</text>`+"\n", x0+left+panelW/2, top+panelH+34)
	for i, name := range order {
		var pts []string
		for _, p := range series[name] {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.rows), py(val(p))))
		}
		c := colors[i%len(colors)]
		fmt.Fprintf(w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), c)
		for _, p := range series[name] {
			fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", px(p.rows), py(val(p)), c)
		}
	}
}

func human(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', -1, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', -1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
