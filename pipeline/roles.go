package pipeline

import (
	"strings"
)

// Role is what a column holds.
type Role int

const (
	RoleNone Role = iota
	RoleUnitID
	RoleUnitName
	RoleParent
	RoleRegistered
	RoleBallotsIssued
	RoleBallotsCast
	RoleInvalid
	RoleValid
	RoleOption      // long layout: the option's name
	RoleVotes       // long layout: the option's votes
	RoleShare       // long layout: the option's declared percent; wide: see ColumnMap.Shares
	RoleSeats       // declared seats of the option
	RoleOptionVotes // wide layout: one option's votes
	RoleOther       // a protocol figure tally does not keep (ballots received, cancelled, lost)
	RoleOffice      // long layout: the office a candidate runs for
)

var roleNames = [...]string{
	RoleNone: "", RoleUnitID: "unit_id", RoleUnitName: "unit_name", RoleParent: "parent",
	RoleRegistered: "registered", RoleBallotsIssued: "ballots_issued", RoleBallotsCast: "ballots_cast",
	RoleInvalid: "invalid", RoleValid: "valid", RoleOption: "option", RoleVotes: "votes",
	RoleShare: "share", RoleSeats: "seats", RoleOptionVotes: "option_votes", RoleOther: "other_figure", RoleOffice: "office",
}

func (r Role) String() string { return roleNames[r] }

// roleWords lists, per role, words whose presence in a folded header names
// the role, in English, Russian, Kazakh, German, Polish and French. Earlier
// roles win; within a role, a longer match is more specific. Headers are
// compared after FoldName, so case and quotes do not matter.
var roleWords = []struct {
	role  Role
	words []string
}{
	{RoleOther, []string{"явка", "turnout", "frekwencja", "wahlbeteiligung", "participation", "қатысуы", "w tym", "в том числе", "of which", "davon", "dont", "liczba obwodów", "number of precincts", "precincts reporting", "pełnomocnik", "zaświadczen", "досрочно", "вне помещения", "в помещении", "переносных", "стационарных", "погашенных", "утраченных", "не учтенных", "не учтённых", "полученных", "early voting", "absentee", "by mail", "postal"}},
	{RoleInvalid, []string{"invalid", "spoilt", "spoiled", "rejected", "недействительн", "жарамсыз", "ungültig", "ungultig", "nieważn", "niewazn", "nuls", "nul"}},
	{RoleValid, []string{"valid", "действительн", "жарамды", "gültig", "gultig", "ważn", "wazn", "exprimés", "exprimes", "valables"}},
	{RoleBallotsIssued, []string{"ballots issued", "issued", "выдан", "берілген", "бюллетень алған", "бюллетеньдер алған", "алған сайлаушылар", "ausgegeben", "wydan", "émargements", "emargements"}},
	{RoleBallotsCast, []string{"ballots cast", "total votes cast", "votes cast", "ballots counted", "проголосовал", "принявших участие", "дауыс бергендер", "дауыс берген", "қатысқан", "дауыс бергендердің", "wähler", "wahler", "votants", "głosujących", "glosujacych", "kart wyjętych", "kart wyjetych"}},
	{RoleRegistered, []string{"registered", "electorate", "eligible voters", "число избирателей", "количество избирателей", "избирателей, включенных", "включенных в список", "сайлаушылар саны", "сайлаушылардың саны", "wahlberechtigte", "uprawnionych", "inscrits"}},
	{RoleSeats, []string{"seats", "mandates", "мандат", "мест", "орын", "sitze", "mandaty", "sièges", "sieges"}},
	{RoleShare, []string{"percent", "share", "%", "процент", "доля", "пайыз", "prozent", "anteil", "procent", "pourcentage"}},
	{RoleOffice, []string{"office", "race", "contest", "должность", "лауазым", "urząd", "amt", "poste"}},
	{RoleOption, []string{"party", "candidate", "list", "option", "choice", "партия", "кандидат", "список", "партиясы", "partei", "partia", "komitet", "kandydat", "liste", "candidat", "parti"}},
	{RoleVotes, []string{"votes", "vote count", "голос", "дауыс", "stimmen", "głosy", "glosy", "głosów", "glosow", "voix"}},
	{RoleOther, []string{"бюллетен", "ballots received", "ballots cancelled", "ballots spoiled", "unused ballots", "lost ballots", "бюллетень", "конверт", "kart do głosowania", "kart", "kopert", "pakiet", "pełnomocnik", "zaświadczen", "stimmzettel", "wahlscheine", "bulletins", "enveloppes", "procurations"}},
	{RoleParent, []string{"parent", "gehört zu", "gehort zu", "belongs to", "należy do", "входит в", "region", "oblast", "область", "облыс", "county", "state", "land", "województwo", "wojewodztwo", "département", "departement", "регион", "субъект"}},
	{RoleUnitName, []string{"name", "precinct", "district", "polling station", "unit", "наименование", "название", "участок", "округ", "уик", "тик", "оик", "атауы", "учаскесі", "аумақ", "аудан", "gebiet", "wahlkreis", "gmina", "obwód", "obwod", "powiat", "siedziba", "commune", "bureau", "circonscription", "ward", "town", "city", "parish", "prec"}},
	{RoleUnitID, []string{"id", "code", "number", "nr", "no", "№", "pct", "код", "номер", "коды", "нөмірі", "kod", "numer", "nummer", "code insee", "teryt"}},
}

// parentRefWords mark a column that names the unit above each row's unit
// ("gehört zu": 1 for Schleswig-Holstein) rather than a level of the
// unit's own name.
var parentRefWords = []string{"parent", "gehört zu", "gehort zu", "belongs to", "należy do", "входит в", "parent unit id"}

// isParentRef reports whether a header names the unit above by reference.
func isParentRef(header string) bool {
	h := FoldName(header)
	for _, w := range parentRefWords {
		if matchWord(h, w) {
			return true
		}
	}
	return false
}

// foldedRoleWords is roleWords with every word folded once.
var foldedRoleWords = func() []struct {
	role  Role
	words []string
} {
	out := make([]struct {
		role  Role
		words []string
	}, len(roleWords))
	for i, rw := range roleWords {
		out[i].role = rw.role
		for _, w := range rw.words {
			out[i].words = append(out[i].words, FoldName(w))
		}
	}
	return out
}()

// exactRoles are headers that name a role outright: the canonical column
// names of tally's own tables and their plainest synonyms.
var exactRoles = map[string]Role{
	"unit id": RoleUnitID, "unit name": RoleUnitName, "parent unit id": RoleParent, "parent": RoleParent,
	"registered": RoleRegistered, "ballots issued": RoleBallotsIssued, "ballots cast": RoleBallotsCast, "cast": RoleBallotsCast, "issued": RoleBallotsIssued,
	"invalid": RoleInvalid, "valid": RoleValid, "option": RoleOption, "option name": RoleOption,
	"party": RoleOption, "candidate": RoleOption, "votes": RoleVotes, "share": RoleShare,
	"percent": RoleShare, "%": RoleShare, "seats": RoleSeats, "declared seats": RoleSeats,
}

// GuessRole names the role a header suggests, or RoleNone.
func GuessRole(header string) Role {
	h := FoldName(header)
	if h == "" {
		return RoleNone
	}
	if r, ok := exactRoles[h]; ok {
		return r
	}
	for _, rw := range foldedRoleWords {
		for _, w := range rw.words {
			if matchWord(h, w) {
				return rw.role
			}
		}
	}
	return RoleNone
}

// matchWord reports whether w occurs in h as a word. Short words (three
// letters or fewer) must be whole words, so "nr" does not match "snr" and
// "id" does not match "valid". A longer word in Latin letters may take an
// inflection ("wydan" in "wydano", "invalid" in "invalids") but not more
// letters ("land" is not in "Landry"); a word with other letters is a stem
// ("недействительн", "ważn") and matches any word it starts.
func matchWord(h, w string) bool {
	if w == "" {
		return false
	}
	short := len([]rune(w)) <= 3
	latin := isASCII(w)
	for i := 0; ; {
		j := strings.Index(h[i:], w)
		if j < 0 {
			return false
		}
		j += i
		startOK := j == 0 || !isWordByte(h, j-1)
		end := j + len(w)
		rest := end
		for rest < len(h) && isWordByte(h, rest) {
			rest++
		}
		var endOK bool
		switch {
		case short:
			endOK = rest == end
		case latin:
			endOK = inflections[h[end:rest]]
		default:
			endOK = true
		}
		if startOK && endOK {
			return true
		}
		i = j + 1
		if i >= len(h) {
			return false
		}
	}
}

// inflections are the endings a Latin-letter role word may take.
var inflections = map[string]bool{"": true, "s": true, "es": true, "e": true, "en": true, "er": true, "n": true,
	"y": true, "o": true, "a": true, "i": true, "ie": true, "ych": true, "ow": true, "ów": true, "ach": true, "ami": true, "ego": true}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isWordByte(s string, i int) bool {
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}
