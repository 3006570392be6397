package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tally/report"
)

func TestClosest(t *testing.T) {
	a := NewAliases([]Party{
		{ID: "nur-otan", Name: "Nur Otan"},
		{ID: "yabloko", Name: "Yabloko"},
		{ID: "ak-zhol", Name: "Ak Zhol", Aliases: []string{"Ақ жол"}},
		{ID: "cprf", Name: "CPRF", Aliases: []string{"1. Политическая партия КПРФ"}},
		{ID: "united-russia", Name: "United Russia", Aliases: []string{`5. Всероссийская политическая партия "ЕДИНАЯ РОССИЯ"`}},
	})
	for _, tc := range []struct {
		name string
		want string // first suggestion, "" for none
	}{
		{"Nur Otn", "nur-otan"},
		{"Партия «Нур Отан»", "nur-otan"},
		{`7. Политическая партия "Российская объединенная демократическая партия "ЯБЛОКО"`, "yabloko"},
		{"Ак Жол", "ak-zhol"},
		{"Auyl", ""},
		// Sharing only words that tell no party apart is not close.
		{`13. ВСЕРОССИЙСКАЯ ПОЛИТИЧЕСКАЯ ПАРТИЯ "РОДИНА"`, ""},
		{`8. Всероссийская политическая партия "ПАРТИЯ РОСТА"`, ""},
		{"Единая Россия", "united-russia"},
		{"NurOtan", "nur-otan"},
		{"Народная партия Казахстана", ""},
	} {
		got := a.Closest(tc.name, 3)
		first := ""
		if len(got) > 0 {
			first = got[0].ID
		}
		if first != tc.want {
			t.Errorf("Closest(%q) = %v, want %q first", tc.name, got, tc.want)
		}
	}
	// Found by transliteration, a name in another script resolves outright.
	if p, ok := a.Lookup("Нур Отан"); !ok || p.ID != "nur-otan" {
		t.Errorf("Lookup(Нур Отан) = %v, %v", p, ok)
	}
	// Two parties that transliterate alike are not guessed between: a
	// third spelling that matches both only by transliteration matches
	// neither.
	b := NewAliases([]Party{{ID: "a", Name: "Жол"}, {ID: "b", Name: "Zhol"}})
	if p, ok := b.Lookup("ЖОЛ"); !ok || p.ID != "a" {
		t.Errorf("an exact folded match must win: %v %v", p, ok)
	}
	if p, ok := b.Lookup("Zhol!"); ok {
		t.Errorf("Lookup(Zhol!) = %v, want no match", p)
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"iabloko", "yabloko", 1}, {"жол", "жолы", 1}} {
		if got := levenshtein(tc.a, tc.b); got != tc.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

const suggestSpec = `# parties in three styles
election: {id: s}
parties:
  - {id: nur-otan, name: Nur Otan}
  - id: ak-zhol
    name: Ak Zhol
    aliases:
      - "Ак Жол"
  - {id: auyl, name: Auyl, aliases: ["Ауыл"]}
  - id: adal
    name: Adal
sources:
  - path: p.csv
    unit: {id: kz, name: Kazakhstan}
`

// Names that match no party become a patch to the spec that adds each to
// its closest party's aliases, in the style the party is written in; once
// applied, every name resolves.
func TestAliasPatch(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"spec.yaml": suggestSpec,
		"p.csv":     "Party;Votes\nNur Otn;10\nAk Zhoul;5\nAuyll;3\nAdal Party;2\nSomething else;1\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec, err := LoadSpec(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sugg, err := SuggestAliases(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Nur Otn": "nur-otan", "Ak Zhoul": "ak-zhol", "Auyll": "auyl", "Adal Party": "adal", "Something else": ""}
	if len(sugg) != len(want) {
		t.Fatalf("suggestions %+v", sugg)
	}
	for _, s := range sugg {
		if w, ok := want[s.Name]; !ok || w != s.Party || s.Pos.File != "p.csv" {
			t.Errorf("suggestion %+v, want party %q", s, w)
		}
	}
	patch, err := AliasPatch(spec, sugg)
	if err != nil {
		t.Fatal(err)
	}
	wantPatch := `--- a/spec.yaml
+++ b/spec.yaml
@@ -1,14 +1,16 @@
 # parties in three styles
 election: {id: s}
 parties:
-  - {id: nur-otan, name: Nur Otan}
+  - {id: nur-otan, name: Nur Otan, aliases: ["Nur Otn"]}
   - id: ak-zhol
     name: Ak Zhol
     aliases:
       - "Ак Жол"
+      - "Ak Zhoul"
-  - {id: auyl, name: Auyl, aliases: ["Ауыл"]}
+  - {id: auyl, name: Auyl, aliases: ["Ауыл", "Auyll"]}
   - id: adal
     name: Adal
+    aliases: ["Adal Party"]
 sources:
   - path: p.csv
     unit: {id: kz, name: Kazakhstan}
`
	if patch != wantPatch {
		t.Errorf("patch:\n%s\nwant:\n%s", patch, wantPatch)
	}
	patched := applyUnified(t, suggestSpec, patch)
	if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(patched), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := runSpec(t, filepath.Join(dir, "spec.yaml"), false)
	unknown := withCode(findingsOf(sum), report.UnknownOption)
	if len(unknown) != 1 || unknown[0].Actual != "Something else" || unknown[0].Expected != "" {
		t.Errorf("after the patch: %v", unknown)
	}
}

// applyUnified applies a unified diff to a text, checking its context.
func applyUnified(t *testing.T, text, patch string) string {
	t.Helper()
	old := strings.SplitAfter(text, "\n")
	var out []string
	at := 0
	lines := strings.SplitAfter(patch, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "@@ ") {
			continue
		}
		f := strings.Fields(l)
		start, _ := strconv.Atoi(strings.Split(strings.TrimPrefix(f[1], "-"), ",")[0])
		out = append(out, old[at:start-1]...)
		at = start - 1
		for i+1 < len(lines) && lines[i+1] != "" && !strings.HasPrefix(lines[i+1], "@@ ") {
			i++
			body := lines[i][1:]
			kind := lines[i][0]
			if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\\ ") {
				body = strings.TrimSuffix(body, "\n") // "\ No newline at end of file"
				i++
			}
			switch kind {
			case ' ', '-':
				if old[at] != body {
					t.Fatalf("patch context %q does not match %q", body, old[at])
				}
				if lines[i][0] == ' ' {
					out = append(out, body)
				}
				at++
			case '+':
				out = append(out, body)
			}
		}
	}
	out = append(out, old[at:]...)
	return strings.Join(out, "")
}

// The last party at the very end of a file without a final newline still
// gets its aliases on a line of their own.
func TestAliasPatchAtEndOfFile(t *testing.T) {
	dir := t.TempDir()
	text := "election: {id: s}\nsources:\n  - path: p.csv\n    unit: {id: kz, name: KZ}\nparties:\n  - id: adal\n    name: Adal"
	for name, body := range map[string]string{"spec.yaml": text, "p.csv": "Party;Votes\nAdal Party;2\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec, err := LoadSpec(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	patch, err := AliasPatch(spec, []AliasSuggestion{{Name: "Adal Party", Party: "adal"}})
	if err != nil {
		t.Fatal(err)
	}
	got := applyUnified(t, text, patch)
	if want := text + "\n    aliases: [\"Adal Party\"]\n"; got != want {
		t.Errorf("patched:\n%q\nwant:\n%q\npatch:\n%s", got, want, patch)
	}
	if _, err := ParseSpec("spec.yaml", []byte(got)); err != nil {
		t.Errorf("patched spec: %v", err)
	}
}
