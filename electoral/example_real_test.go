package electoral_test

import (
	"fmt"

	"tally/electoral"
)

// The State Duma of Russia, 17-19 September 2021, federal (party-list)
// constituency: 225 seats, 5% of the voters who took part (ballots found
// in the boxes, valid and invalid) to qualify, largest remainder with the
// Hare quota among the qualifying lists. Votes are the Central Election
// Commission's polling-station protocols summed (the CEC's published
// totals: United Russia 28,064,200; invalid ballots 1,171,581; valid
// 55,158,109); the CEC declared 126/48/19/19/13 list seats on 24 September
// 2021.
func Example_russia2021() {
	entries := []electoral.Entry{
		{Name: "CPRF", Votes: 10660669},
		{Name: "Greens", Votes: 512418},
		{Name: "LDPR", Votes: 4252252},
		{Name: "New People", Votes: 2997744},
		{Name: "United Russia", Votes: 28064200},
		{Name: "A Just Russia - For Truth", Votes: 4201744},
		{Name: "Yabloko", Votes: 753268},
		{Name: "Party of Growth", Votes: 291465},
		{Name: "Russian Party of Freedom and Justice", Votes: 431530},
		{Name: "Communists of Russia", Votes: 715621},
		{Name: "Civic Platform", Votes: 86964},
		{Name: "Green Alternative", Votes: 357870},
		{Name: "Rodina", Votes: 450449},
		{Name: "Party of Pensioners", Votes: 1381915},
		{Name: "invalid ballots", Votes: 1171581, Kind: electoral.KindInvalid},
	}
	five, _ := electoral.ParseThreshold("5")
	res, err := electoral.Allocate(entries, electoral.Options{
		Seats:         225,
		Method:        electoral.Hare,
		Threshold:     five,
		ThresholdBase: electoral.BaseCast,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("threshold:", res.Trace.Threshold.MinVotes, "of", res.Trace.Threshold.BaseVotes, "ballots")
	for _, p := range res.Parties {
		if p.Eligible {
			fmt.Printf("%-26s %5.2f%% %3d\n", p.Name, p.Share, p.Seats)
		}
	}
	// Output:
	// threshold: 2816484.5000 of 56329690 ballots
	// CPRF                       18.93%  48
	// LDPR                        7.55%  19
	// New People                  5.32%  13
	// United Russia              49.82% 126
	// A Just Russia - For Truth   7.46%  19
}

// The New Zealand House of Representatives, 14 October 2023: mixed-member
// proportional, Sainte-Laguë over 120 seats among parties with 5% of the
// party vote or one electorate; electorate seats beyond a party's
// entitlement are overhang. The Electoral Commission's official result
// (3 November 2023) declared National 48, Labour 34, Green 15, ACT 11,
// NZ First 8, Te Pāti Māori 6 seats, a house of 122 with an overhang of
// two (Te Pāti Māori). The party votes and electorates are those of the
// official count as tabulated in Wikipedia's "Results of the 2023 New
// Zealand general election" (the seats are checked against the
// Commission's release; the votes were not seen on its own pages). Only
// the parties with 4,500 votes or more are listed, which moves no one
// across the threshold. Port Waikato's electorate, vacant until its
// by-election, is not counted.
func Example_newZealand2023() {
	entries := []electoral.Entry{
		{Name: "National", Votes: 1085851, Electorates: 43},
		{Name: "Labour", Votes: 767540, Electorates: 17},
		{Name: "Green", Votes: 330907, Electorates: 3},
		{Name: "ACT", Votes: 246473, Electorates: 2},
		{Name: "NZ First", Votes: 173553},
		{Name: "Te Pāti Māori", Votes: 87844, Electorates: 6},
		{Name: "Opportunities", Votes: 63344},
		{Name: "NZ Loyal", Votes: 34478},
		{Name: "NewZeal", Votes: 16126},
		{Name: "Legalise Cannabis", Votes: 13025},
		{Name: "Freedoms NZ", Votes: 9586},
		{Name: "DemocracyNZ", Votes: 6786},
		{Name: "Animal Justice", Votes: 5018},
		{Name: "New Conservative", Votes: 4532},
	}
	five, _ := electoral.ParseThreshold("5")
	res, err := electoral.Allocate(entries, electoral.Options{
		Seats:               120,
		Method:              electoral.SainteLague,
		Threshold:           five,
		ElectorateThreshold: 1,
		MMP:                 true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Parties {
		if p.Seats > 0 {
			fmt.Printf("%-14s %-11s entitled %2d, electorates %2d, overhang %d: %2d seats\n", p.Name, p.Reason, p.Entitlement, p.Electorates, p.Overhang, p.Seats)
		}
	}
	fmt.Println("house:", res.House)
	// Output:
	// National       threshold   entitled 48, electorates 43, overhang 0: 48 seats
	// Labour         threshold   entitled 34, electorates 17, overhang 0: 34 seats
	// Green          threshold   entitled 15, electorates  3, overhang 0: 15 seats
	// ACT            threshold   entitled 11, electorates  2, overhang 0: 11 seats
	// NZ First       threshold   entitled  8, electorates  0, overhang 0:  8 seats
	// Te Pāti Māori  electorates entitled  4, electorates  6, overhang 2:  6 seats
	// house: 122
}
