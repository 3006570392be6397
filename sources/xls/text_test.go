package xls

import (
	"math"
	"testing"
)

func TestClassifyFormat(t *testing.T) {
	for _, tc := range []struct {
		code string
		want numClass
	}{
		{"General", classNumber},
		{"0", classNumber},
		{"#,##0", classNumber},
		{"#,##0.00_);[Red](#,##0.00)", classNumber},
		{`#,##0" votes"`, classNumber},
		{`0\ \s\t\k`, classNumber},
		{`#,##0_s`, classNumber},
		{`* #,##0;* -#,##0;* "-"`, classNumber},
		{`[$-409]#,##0`, classNumber},
		{`0.00E+00`, classNumber},
		{"@", classNumber},
		{"0%", classPercent},
		{"0.00%", classPercent},
		{`0.0"%"`, classNumber},
		{`0.0\%`, classNumber},
		{`#,##0;-#,##0%`, classNumber}, // only the first section counts
		{"m/d/yy", classDate},
		{"d-mmm-yy", classDate},
		{`dd\.mm\.yyyy`, classDate},
		{"DD/MM/YYYY", classDate},
		{"yyyy-mm-dd hh:mm:ss", classDate},
		{`[$-F800]dddd\,\ mmmm\ dd\,\ yyyy`, classDate},
		{"[Blue]d/m/yyyy;@", classDate},
		{"h:mm", classTime},
		{"h:mm:ss AM/PM", classTime},
		{"mm:ss.0", classTime},
		{"[h]:mm:ss", classTime},
		{"[mm]:ss", classTime},
		{`"Day "0`, classNumber},
		{`"unterminated`, classNumber},
		{`[Red`, classNumber},
		{"", classNumber},
	} {
		if got := classifyFormat(tc.code); got != tc.want {
			t.Errorf("classifyFormat(%q) = %d, want %d", tc.code, got, tc.want)
		}
	}
}

func TestBuiltinClass(t *testing.T) {
	for id := range 200 {
		want := classNumber
		switch {
		case id == 9 || id == 10:
			want = classPercent
		case id >= 14 && id <= 17 || id == 22:
			want = classDate
		case id >= 18 && id <= 21 || id >= 45 && id <= 47:
			want = classTime
		}
		if got := builtinClass(id); got != want {
			t.Errorf("builtinClass(%d) = %d, want %d", id, got, want)
		}
	}
}

func TestNumberText(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{350000, "350000"},
		{101, "101"},
		{0.6512, "0.6512"},
		{12.5, "12.5"},
		{-3, "-3"},
		{1e15, "1000000000000000"},
		{123456789012, "123456789012"},
		{0.1 + 0.2, "0.3"},
		{99.99999999999999, "100"},
		{1.0 / 3, "0.333333333333333"},
		{2.5e-7, "0.00000025"},
		{1234567890123456789, "1234567890123460000"},
	} {
		if got := numberText(tc.v); got != tc.want {
			t.Errorf("numberText(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestPercentText(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0.6512, "65.12%"},
		{1, "100%"},
		{0, "0%"},
		{0.5, "50%"},
		{0.001, "0.1%"},
		{0.071, "7.1%"},
		{-0.25, "-25%"},
		{12.3456, "1234.56%"},
		{0.00001, "0.001%"},
		{1.0 / 3, "33.3333333333333%"},
	} {
		if got := percentText(tc.v); got != tc.want {
			t.Errorf("percentText(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestDateText(t *testing.T) {
	for _, tc := range []struct {
		v        float64
		date1904 bool
		timeOnly bool
		want     string // "" for no date
	}{
		{44206, false, false, "2021-01-10"},
		{44206.5, false, false, "2021-01-10T12:00:00"},
		{44206.99998843, false, false, "2021-01-10T23:59:59"},
		{44206.999999, false, false, "2021-01-11"}, // 23:59:59.9 rounds to midnight
		{1, false, false, "1900-01-01"},
		{59, false, false, "1900-02-28"},
		{60, false, false, "1900-02-29"}, // the day Excel invented
		{61, false, false, "1900-03-01"},
		{25569, false, false, "1970-01-01"},
		{2958465, false, false, "9999-12-31"},
		{2958466, false, false, ""},
		{0, false, false, ""},
		{0.5, false, false, ""},
		{-1, false, false, ""},
		{math.NaN(), false, false, ""},
		{0, true, false, "1904-01-01"},
		{42744, true, false, "2021-01-10"},
		{0.75, false, true, "18:00:00"},
		{0, false, true, "00:00:00"},
		{0.5, true, true, "12:00:00"},
		{1.25, false, true, "1900-01-01T06:00:00"},
	} {
		got, ok := dateText(tc.v, tc.date1904, tc.timeOnly)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("dateText(%v, 1904=%v, time=%v) = %q, want %q", tc.v, tc.date1904, tc.timeOnly, got, tc.want)
		}
	}
}

func TestRKValue(t *testing.T) {
	for _, tc := range []struct {
		rk   uint32
		want float64
	}{
		{101<<2 | 2, 101},
		{uint32(0xFFFFFFFC) | 2, -1}, // -1 as a 30-bit integer
		{1250<<2 | 3, 12.5},          // integer / 100
		{0x3FF80000, 1.5},            // high bits of a double
		{0x3FF80000 | 1, 0.015},      // double / 100
		{0x40FE8480, 125000},         // 125000.0 as a double
		{0xFFFFFFEC | 3, -0.05},      // -5 as a 30-bit integer, / 100
	} {
		if got := rkValue(tc.rk); got != tc.want {
			t.Errorf("rkValue(%#x) = %v, want %v", tc.rk, got, tc.want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{0: "", -1: "", 1: "A", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 256: "IV", 702: "ZZ", 703: "AAA", 16384: "XFD"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", col, got, want)
		}
	}
	if got := (Cell{Row: 65536, Col: 256}).Ref(); got != "IV65536" {
		t.Errorf("Ref = %q", got)
	}
	r := Range{FirstRow: 2, LastRow: 3, FirstCol: 1, LastCol: 8}
	if r.String() != "A2:H3" || !r.Contains(3, 8) || r.Contains(4, 1) || r.Contains(2, 9) {
		t.Errorf("Range %v: String or Contains wrong", r)
	}
}

func TestCodepages(t *testing.T) {
	for _, tc := range []struct {
		cp   int
		in   string
		want string
	}{
		{1252, "Caf\xe9 \x80", "Café €"},
		{1251, "\xcd\xf3\xf0 \xce\xf2\xe0\xed", "Нур Отан"},
		{866, "\x8d\xe3\xe0", "Нур"},
		{1250, "\x8a", "Š"},
		{10000, "\x8e", "é"},
		{932, "\x93\xfa\x96\x7b", "日本"},
		{367, "plain", "plain"},
		{12345, "Caf\xe9", "Café"}, // unknown: cp1252
	} {
		enc, _ := codepageEncoding(tc.cp)
		if got := (decoder{enc}).decode([]byte(tc.in)); got != tc.want {
			t.Errorf("code page %d: %q, want %q", tc.cp, got, tc.want)
		}
	}
	if _, ok := codepageEncoding(12345); ok {
		t.Error("code page 12345 reported as known")
	}
}
