package xls

import (
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// decoder turns 8-bit text in a workbook's code page into UTF-8.
type decoder struct{ enc encoding.Encoding }

// codepageEncoding returns the encoding of a Windows code page number as the
// CODEPAGE record gives it, and false for one this package does not know.
func codepageEncoding(cp int) (encoding.Encoding, bool) {
	switch cp {
	case 367, 1252, 32769, 1200: // US-ASCII, Windows Latin 1; 1200 (UTF-16) has no 8-bit text
		return charmap.Windows1252, true
	case 437:
		return charmap.CodePage437, true
	case 850:
		return charmap.CodePage850, true
	case 852:
		return charmap.CodePage852, true
	case 855:
		return charmap.CodePage855, true
	case 858:
		return charmap.CodePage858, true
	case 860:
		return charmap.CodePage860, true
	case 862:
		return charmap.CodePage862, true
	case 863:
		return charmap.CodePage863, true
	case 865:
		return charmap.CodePage865, true
	case 866:
		return charmap.CodePage866, true
	case 874:
		return charmap.Windows874, true
	case 932:
		return japanese.ShiftJIS, true
	case 936:
		return simplifiedchinese.GBK, true
	case 949:
		return korean.EUCKR, true
	case 950:
		return traditionalchinese.Big5, true
	case 1250:
		return charmap.Windows1250, true
	case 1251:
		return charmap.Windows1251, true
	case 1253:
		return charmap.Windows1253, true
	case 1254:
		return charmap.Windows1254, true
	case 1255:
		return charmap.Windows1255, true
	case 1256:
		return charmap.Windows1256, true
	case 1257:
		return charmap.Windows1257, true
	case 1258:
		return charmap.Windows1258, true
	case 10000, 32768: // Apple Roman
		return charmap.Macintosh, true
	case 10007:
		return charmap.MacintoshCyrillic, true
	case 20866:
		return charmap.KOI8R, true
	case 21866:
		return charmap.KOI8U, true
	case 28591:
		return charmap.ISO8859_1, true
	case 28592:
		return charmap.ISO8859_2, true
	case 28595:
		return charmap.ISO8859_5, true
	}
	return charmap.Windows1252, false
}

// decode returns b as UTF-8.
func (d decoder) decode(b []byte) string {
	if isASCII(b) {
		return string(b)
	}
	enc := d.enc
	if enc == nil {
		enc = charmap.Windows1252
	}
	s, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// The decoders in use replace what they cannot map; an error here
		// would be a bug in them. Keep the bytes readable all the same.
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// numClass says how a number in a given cell format is shown.
type numClass uint8

const (
	classNumber  numClass = iota
	classDate             // a date, perhaps with a time of day
	classTime             // a time of day or a duration, with no date part
	classPercent          //
)

// builtinClass classifies Excel's built-in number formats, which workbooks
// reference by number without a FORMAT record.
func builtinClass(id int) numClass {
	switch {
	case id == 9 || id == 10:
		return classPercent
	case id >= 14 && id <= 17, id == 22:
		return classDate
	case id >= 18 && id <= 21, id >= 45 && id <= 47:
		return classTime
	}
	return classNumber
}

// classifyFormat classifies a number format code. It looks at the first
// section (the one for positive numbers) and ignores quoted text, escaped and
// padding characters and bracketed parts ([Red], [$-409]): a date code has
// one of d, m, y, h or s, a percent code has %. A date code without d or y
// is a time code (h:mm, mm:ss, [h]:mm).
func classifyFormat(code string) numClass {
	date, day, percent := false, false, false
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case ';':
			i = len(code)
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				i = len(code)
				break
			}
			if elapsed := strings.Trim(strings.ToLower(code[i+1:i+1+j]), "hms"); elapsed == "" && j > 0 {
				date = true // [h], [mm], [ss]: elapsed time
			}
			i += j + 1
		case '%':
			percent = true
		case 'd', 'D', 'y', 'Y':
			date, day = true, true
		case 'm', 'M', 'h', 'H', 's', 'S':
			date = true
		}
	}
	switch {
	case day:
		return classDate
	case date:
		return classTime
	case percent:
		return classPercent
	}
	return classNumber
}

// numberText shows v as a spreadsheet does in General format without
// switching to exponents: rounded to 15 significant digits, shortest decimal.
func numberText(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10) // at most 15 digits: nothing to round
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil { // only for values that overflow after rounding
		r = v
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// percentText shows v in percent: numberText with the decimal point moved
// two places right, then "%". Moving the point in the text keeps 0.6512 from
// becoming 65.12000000000001.
func percentText(v float64) string {
	s := numberText(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	fp += "00"
	ip = strings.TrimLeft(ip+fp[:2], "0")
	fp = strings.TrimRight(fp[2:], "0")
	if ip == "" {
		ip = "0"
	}
	if fp != "" {
		ip += "." + fp
	}
	if neg {
		ip = "-" + ip
	}
	return ip + "%"
}

// dateText shows a serial date as 2006-01-02, or 2006-01-02T15:04:05 when it
// has a time of day; with timeOnly (a time format) a value below 1 shows as
// 15:04:05. It returns false for a value that is no date in years
// 1900-9999 (the 1900 system's day 0 is none).
func dateText(v float64, date1904, timeOnly bool) (string, bool) {
	if math.IsNaN(v) || v < 0 || v >= 2958466 { // 2958466 is 10000-01-01
		return "", false
	}
	days := math.Floor(v)
	secs := int(math.Round((v - days) * 86400))
	if secs >= 86400 {
		days++
		secs -= 86400
	}
	clock := twoDigits(secs/3600) + ":" + twoDigits(secs/60%60) + ":" + twoDigits(secs%60)
	if days == 0 && (timeOnly || !date1904) {
		if !timeOnly {
			return "", false
		}
		return clock, true
	}
	var base time.Time
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days == 60:
		// Excel's 1900 date system keeps Lotus 1-2-3's 29 February 1900,
		// a day that never was.
		return withClock("1900-02-29", secs, clock), true
	case days < 60:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		base = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	t := base.AddDate(0, 0, int(days))
	if t.Year() > 9999 {
		return "", false
	}
	return withClock(t.Format("2006-01-02"), secs, clock), true
}

func withClock(day string, secs int, clock string) string {
	if secs == 0 {
		return day
	}
	return day + "T" + clock
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// errorText names a BIFF error code.
func errorText(code byte) string {
	switch code {
	case 0x00:
		return "#NULL!"
	case 0x07:
		return "#DIV/0!"
	case 0x0F:
		return "#VALUE!"
	case 0x17:
		return "#REF!"
	case 0x1D:
		return "#NAME?"
	case 0x24:
		return "#NUM!"
	case 0x2A:
		return "#N/A"
	case 0x2B:
		return "#GETTING_DATA"
	}
	return "#ERR" + strconv.Itoa(int(code)) + "!"
}
