package pipeline

import "testing"

func TestFoldName(t *testing.T) {
	same := [][]string{
		{"Nur Otan", "«Nur Otan»", "NUR OTAN", "Nur\u00a0Otan", " nur  otan ", "\"Nur Otan\""},
		{"Ақ жол", "АҚ ЖОЛ", "AҚ ЖОЛ", "«Ақ жол»"}, // the third starts with a Latin A
		{"Ак жол", "Aк жол", "AK ЖОЛ"},             // Latin A and K in a Cyrillic word
		{"Справедливая Россия – За правду", "Справедливая Россия - За правду", "Справедливая Россия—За правду"},
		{"ДУДА", "Duda"[:0] + "ДУДА"},
	}
	for _, group := range same {
		want := FoldName(group[0])
		for _, s := range group[1:] {
			if got := FoldName(s); got != want {
				t.Errorf("FoldName(%q) = %q, want %q (as for %q)", s, got, want, group[0])
			}
		}
	}
	differ := [][2]string{{"Ак жол", "Ақ жол"}, {"Auyl", "Adal"}, {"CDU", "CSU"}, {"Nur Otan", "Nur Otan 2"}}
	for _, p := range differ {
		if FoldName(p[0]) == FoldName(p[1]) {
			t.Errorf("FoldName merges %q and %q", p[0], p[1])
		}
	}
	// Idempotence: folding a folded name changes nothing.
	for _, s := range []string{"«Nur Otan» партиясы", "AҚ ЖОЛ", "Единая Россия"} {
		if f := FoldName(s); FoldName(f) != f {
			t.Errorf("FoldName not idempotent on %q: %q then %q", s, f, FoldName(f))
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Nur Otan":                     "nur-otan",
		"Ақ жол":                       "aq-zhol",
		"People's Party of Kazakhstan": "peoples-party-of-kazakhstan",
		"Единая Россия":                "edinaia-rossiia",
		"  --  ":                       "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGuessRole(t *testing.T) {
	for h, want := range map[string]Role{
		"unit_id":   RoleUnitID,
		"unit_name": RoleUnitName,
		"Число избирателей, внесенных в списки":              RoleRegistered,
		"Число избирателей, принявших участие в голосовании": RoleBallotsCast,
		"Число недействительных бюллетеней":                  RoleInvalid,
		"Число действительных бюллетеней":                    RoleValid,
		"Wahlberechtigte":          RoleRegistered,
		"cast":                     RoleBallotsCast,
		"Ungültige":                RoleInvalid,
		"Gültige":                  RoleValid,
		"Liczba głosów ważnych":    RoleValid,
		"Liczba głosów nieważnych": RoleInvalid,
		"Inscrits":                 RoleRegistered,
		"Exprimés":                 RoleValid,
		"Votes":                    RoleVotes,
		"Party":                    RoleOption,
		"%":                        RoleShare,
		"Nur Otan":                 RoleNone,
	} {
		if got := GuessRole(h); got != want {
			t.Errorf("GuessRole(%q) = %v, want %v", h, got, want)
		}
	}
}
