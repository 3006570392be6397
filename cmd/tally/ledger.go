package main

import "time"

// ledgerToday is the date the entries of a spec's ledger of known
// discrepancies expire against: the release's date when SOURCE_DATE_EPOCH
// sets one (created, RFC 3339), else today in UTC. It decides only which
// ledger entries still accept findings; no output records it.
func ledgerToday(created string) string {
	if len(created) >= len("2006-01-02") {
		return created[:len("2006-01-02")]
	}
	return time.Now().UTC().Format("2006-01-02")
}
