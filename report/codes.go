package report

// Code is the stable, kebab-case name of a kind of finding. Codes are a
// public contract: users filter on them and accept them in ledgers, so they
// are never renamed.
type Code string

// Finding codes. Each line says what the code means.
const (
	// VotesSumMismatch: the options' votes of a unit do not add up to its valid ballots.
	VotesSumMismatch Code = "votes-sum-mismatch"
	// ValidInvalidMismatch: valid + invalid ballots differ from ballots cast.
	ValidInvalidMismatch Code = "valid-invalid-mismatch"
	// CastOverRegistered: more ballots cast than registered voters (turnout over 100%).
	CastOverRegistered Code = "cast-over-registered"
	// CastOverIssued: more ballots cast than ballots issued.
	CastOverIssued Code = "cast-over-issued"
	// IssuedOverRegistered: more ballots issued than registered voters.
	IssuedOverRegistered Code = "issued-over-registered"
	// ShareMismatch: a declared percentage differs from the one computed from the votes.
	ShareMismatch Code = "share-mismatch"
	// SharesSumMismatch: the declared percentages of a unit do not sum to 100.
	SharesSumMismatch Code = "shares-sum-mismatch"
	// SeatsMismatch: the seats computed for a list differ from the declared seats.
	SeatsMismatch Code = "seats-mismatch"
	// SeatsNotAllocated: the allocation could not be done (an unresolved tie, no votes); see the message.
	SeatsNotAllocated Code = "seats-not-allocated"
	// SeatsTie: the allocation met a tie; the message says how it was resolved.
	SeatsTie Code = "seats-tie"
	// UnknownOption: an option name matches no party, candidate or alias in the spec.
	UnknownOption Code = "unknown-option"
	// DuplicateUnit: the same unit appears twice in one contest.
	DuplicateUnit Code = "duplicate-unit"
	// DuplicateResult: the same unit and option appear twice in one contest.
	DuplicateResult Code = "duplicate-result"
	// NegativeVotes: a count is below zero.
	NegativeVotes Code = "negative-votes"
	// FractionalVotes: a count is not a whole number.
	FractionalVotes Code = "fractional-votes"
	// BadNumber: a cell that should hold a number could not be read as one; the row is rejected.
	BadNumber Code = "bad-number"
	// RowRejected: a row could not be used for another reason; see the rejects table.
	RowRejected Code = "row-rejected"
	// NoResults: a source produced no result rows at all.
	NoResults Code = "no-results"
	// ThresholdMismatch: a list's declared eligibility differs from the computed one.
	ThresholdMismatch Code = "threshold-mismatch"

	// ConflictingUnit: the same unit appears twice in one contest with different figures or votes.
	ConflictingUnit Code = "conflicting-unit"
	// ConflictingResult: the same unit and option appear twice with different votes.
	ConflictingResult Code = "conflicting-result"
	// UnitNoFigures: a unit carries no figure and no votes at all (every cell empty or a dash).
	UnitNoFigures Code = "unit-no-figures"
	// UnitTwoParents: one unit is placed under two different parent units.
	UnitTwoParents Code = "unit-two-parents"
	// HierarchyMismatch: a unit's figure or option votes differ from the sum of its child units.
	HierarchyMismatch Code = "hierarchy-mismatch"
	// TotalMismatch: a total row differs from the sum of the units of the table it totals.
	TotalMismatch Code = "total-mismatch"
	// ReferenceMismatch: a figure or option votes differ from those of a reference source.
	ReferenceMismatch Code = "reference-mismatch"
	// ReferenceUnitMissing: a unit of a reference source has no counterpart in the data.
	ReferenceUnitMissing Code = "reference-unit-missing"
	// ReferenceUnitExtra: a unit of the data has no counterpart in a reference source that lists its level.
	ReferenceUnitExtra Code = "reference-unit-extra"
	// IdentityMismatch: a protocol identity the spec declares does not hold in a unit.
	IdentityMismatch Code = "identity-mismatch"
	// LedgerUnused: a known-discrepancy ledger entry matched no finding; the discrepancy is gone or changed.
	LedgerUnused Code = "ledger-unused"
	// LedgerExpired: a known-discrepancy ledger entry is past its expiry date and accepts nothing.
	LedgerExpired Code = "ledger-expired"
)

// Codes lists every finding code, in the order of the declarations above.
func Codes() []Code {
	return []Code{VotesSumMismatch, ValidInvalidMismatch, CastOverRegistered, CastOverIssued, IssuedOverRegistered,
		ShareMismatch, SharesSumMismatch, SeatsMismatch, SeatsNotAllocated, SeatsTie, UnknownOption, DuplicateUnit,
		DuplicateResult, NegativeVotes, FractionalVotes, BadNumber, RowRejected, NoResults, ThresholdMismatch,
		ConflictingUnit, ConflictingResult, UnitNoFigures, UnitTwoParents, HierarchyMismatch, TotalMismatch,
		ReferenceMismatch, ReferenceUnitMissing, ReferenceUnitExtra, IdentityMismatch, LedgerUnused, LedgerExpired}
}

// KnownCode reports whether c is one of tally's finding codes.
func KnownCode(c Code) bool {
	for _, k := range Codes() {
		if k == c {
			return true
		}
	}
	return false
}
