package pipeline

import (
	"fmt"
	"testing"
)

// The messages of the identities, appended to a buffer, read as the
// fmt formats that first worded them: every unit id quoted as %q
// quotes it, every difference signed.
func TestIdentityMessagesAsFmt(t *testing.T) {
	ids := []string{"esilskii-raion/1", "", `a "quoted" id`, `back\\slash`, "Алматы/12", "tab\there", "del\x7f", "bad\xffutf8", "~ ok"}
	vals := [][2]int64{{688, 1120}, {0, 0}, {5, -3}, {-9, 9}, {1 << 40, -(1 << 40)}}
	want := []func(u *unitBuf, l, r int64) string{
		func(u *unitBuf, sum, valid int64) string {
			return fmt.Sprintf("options of unit %q sum to %d, but valid ballots are %d (difference %+d)", u.id, sum, valid, sum-valid)
		},
		func(u *unitBuf, vi, cast int64) string {
			return fmt.Sprintf("valid %d + invalid %d = %d, but ballots cast are %d in unit %q", u.fig[FigValid].v.v, u.fig[FigInvalid].v.v, vi, cast, u.id)
		},
		func(u *unitBuf, cast, reg int64) string {
			return fmt.Sprintf("ballots cast %d exceed registered voters %d in unit %q", cast, reg, u.id)
		},
		func(u *unitBuf, cast, issued int64) string {
			return fmt.Sprintf("ballots cast %d exceed ballots issued %d in unit %q", cast, issued, u.id)
		},
		func(u *unitBuf, issued, reg int64) string {
			return fmt.Sprintf("ballots issued %d exceed registered voters %d in unit %q", issued, reg, u.id)
		},
	}
	if len(builtins) != len(want) {
		t.Fatalf("%d built-in identities, the test knows %d", len(builtins), len(want))
	}
	for _, id := range ids {
		for _, v := range vals {
			u := &unitBuf{id: id}
			u.fig[FigValid].v.v, u.fig[FigInvalid].v.v = v[0]+7, -v[1]
			for i, b := range builtins {
				got := string(b.message([]byte("x"), u, v[0], v[1]))
				if w := "x" + want[i](u, v[0], v[1]); got != w {
					t.Errorf("%s: %q, want %q", b.text, got, w)
				}
			}
		}
		if got, w := string(appendQuoted(nil, id)), fmt.Sprintf("%q", id); got != w {
			t.Errorf("appendQuoted: %s, want %s", got, w)
		}
	}
}

// A declared identity that fails is worded as fmt worded it.
func TestDeclaredIdentityMessageAsFmt(t *testing.T) {
	sum := runText(t, `
election: {id: ru}
sources:
  - path: p.csv
    columns: {unit_id: UIK}
checks:
  figures:
    received: Получено
    unused: Погашено
  identities:
    - received - unused = ballots_issued
`, map[string]string{"p.csv": `UIK,Число избирателей,Получено,Выдано бюллетеней,Погашено,Число действительных бюллетеней,Партия А
"У ""2""",1000,900,600,310,500,500
`})
	fs := findingsOf(sum)
	if len(fs) != 1 {
		t.Fatalf("findings %v, want one", fs)
	}
	want := fmt.Sprintf("identity %q fails in unit %q: %s is %d, %s is %d (difference %+d)",
		"received - unused = ballots_issued", `У "2"`, "received - unused", 590, "ballots_issued", 600, -10)
	if fs[0].Message != want {
		t.Errorf("message %q, want %q", fs[0].Message, want)
	}
}
