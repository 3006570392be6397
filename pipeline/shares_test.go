package pipeline

import (
	"strings"
	"testing"

	"tally/report"
)

// The demo's declared percentages (71.09, 10.95, 9.10, 5.29, 3.57) are
// accepted by the rounding-aware check; Nur Otan's printed as 71.2 is
// not, and the finding says the range 71.2 stands for.
func TestKazakhstanDeclaredShares(t *testing.T) {
	sum := runSpec(t, kzDir+"/pipeline.yaml", false)
	if n := sum.Count(report.Info); n != 0 {
		t.Fatalf("findings on the published protocol:\n%s", findingList(findingsOf(sum)))
	}
	spec := copyKZ(t, func(s string) string {
		return strings.Replace(s, ",Nur Otan,5148074,71.09,", ",Nur Otan,5148074,71.2,", 1)
	})
	sum = runSpec(t, spec, false)
	expectFindings(t, findingsOf(sum), []want{
		{code: report.ShareMismatch, unit: "KZ", option: "nur-otan", expected: "71.091", actual: "71.2", row: 2, col: 9,
			says: []string{"accepted range [71.15, 71.25)"}},
		{code: report.SharesSumMismatch, unit: "KZ", expected: "100", actual: "100.11"},
	})
}
