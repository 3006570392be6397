package electoral_test

import (
	"fmt"
	"os"

	"tally/electoral"
)

// The Majilis of Kazakhstan, 10 January 2021: 98 list seats in one
// nationwide constituency, 7% of valid votes to qualify, largest remainder
// with the Hare quota among the lists that qualified, and the runner-up
// admitted if only one list passes. Figures from the Central Election
// Commission's final protocol; declared seats 76/12/10/0/0.
func Example_kazakhstan2021() {
	entries := []electoral.Entry{
		{Name: "Nur Otan", Votes: 5148074},
		{Name: "Ak Zhol", Votes: 792828},
		{Name: "People's Party of Kazakhstan", Votes: 659019},
		{Name: "Auyl", Votes: 383023},
		{Name: "Adal", Votes: 258618},
	}
	threshold, _ := electoral.ParseThreshold("7")
	res, err := electoral.Allocate(entries, electoral.Options{
		Seats:        98,
		Method:       electoral.Hare,
		Threshold:    threshold,
		ValidVotes:   7241562,
		MinQualified: 2,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Parties {
		fmt.Printf("%-30s %6.2f%% %v %d\n", p.Name, p.Share, p.Eligible, p.Seats)
	}
	res.Trace.WriteText(os.Stdout)
	// Output:
	// Nur Otan                        71.09% true 76
	// Ak Zhol                         10.95% true 12
	// People's Party of Kazakhstan     9.10% true 10
	// Auyl                             5.29% false 0
	// Adal                             3.57% false 0
	// method: largest remainder, Hare quota
	// house: 98 seats; 98 shared by the vote
	// threshold: 7% of valid votes 7241562 = 506909.3400 votes (at least)
	//   Nur Otan                      5148074  71.09%   in: threshold
	//   Ak Zhol                       792828   10.95%   in: threshold
	//   People's Party of Kazakhstan  659019   9.10%    in: threshold
	//   Auyl                          383023   5.29%    out: below threshold
	//   Adal                          258618   3.57%    out: below threshold
	// allocation of 98 seats among 3 contenders (6599921 votes)
	//   quota: 6599921/98 = 67346.1327
	//   contender                     votes    quotas   whole  remainder
	//   Nur Otan                      5148074  76.4420  76     29767.9184
	//   Ak Zhol                       792828   11.7724  11     52020.5408
	//   People's Party of Kazakhstan  659019   9.7856   9      52903.8061
	//   seats 1-76: Nur Otan, whole quotas
	//   seats 77-87: Ak Zhol, whole quotas
	//   seats 88-96: People's Party of Kazakhstan, whole quotas
	//   seat 97: People's Party of Kazakhstan, remainder 52903.8061 votes
	//   seat 98: Ak Zhol, remainder 52020.5408 votes
	//   next in line: Nur Otan, remainder 29767.9184 votes
	//   result: Nur Otan 76, Ak Zhol 12, People's Party of Kazakhstan 10
}
