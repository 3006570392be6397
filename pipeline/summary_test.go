package pipeline

import "tally/report"

// findingsOf returns every finding of a run, in order, all in memory.
func findingsOf(s *Summary) []report.Finding {
	var out []report.Finding
	if err := s.EachFinding(func(f *report.Finding) error {
		out = append(out, *f)
		return nil
	}); err != nil {
		panic(err)
	}
	return out
}

// rejectsOf returns every reject of a run, in order, all in memory.
func rejectsOf(s *Summary) []report.Reject {
	var out []report.Reject
	if err := s.EachReject(func(rj *report.Reject) error {
		out = append(out, *rj)
		return nil
	}); err != nil {
		panic(err)
	}
	return out
}
