package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"tally/pipeline"
)

// newSuggestCmd builds `tally suggest-aliases`: the option names of a
// spec's sources that match no party, each with the closest party, as a
// patch to the spec that adds them as aliases. Nothing is merged until a
// person applies the patch.
func newSuggestCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "suggest-aliases SPEC.yaml",
		Short: "Write the closest party for each unknown option name as a patch to the spec",
		Long: `suggest-aliases reads every source of the spec, as validate does, and collects
the option names that match no party or alias even after folding case,
quotes, dashes, spaces, look-alike letters and transliteration. For each it
finds the closest party the spec declares and writes a unified diff that adds
the name to that party's aliases, in the style the spec is written in. Review
it, then apply it (git apply, or patch -p1). Names that no party comes close
to are listed on stderr, to be added as parties of their own.

Exit codes: 0 done (with or without suggestions); 2 bad usage or an invalid
spec; 3 an input that cannot be read.`,
		Example: "  tally suggest-aliases spec.yaml > aliases.patch && git apply aliases.patch",
		Args:    exactArgs(1, "SPEC.yaml"),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := pipeline.LoadSpec(args[0])
			if err != nil {
				return err
			}
			sugg, err := pipeline.SuggestAliases(cmd.Context(), spec)
			if err != nil {
				return err
			}
			patch, err := pipeline.AliasPatch(spec, sugg)
			if err != nil {
				return &exitError{code: ExitInternal, err: err}
			}
			matched := 0
			for _, s := range sugg {
				if s.Party == "" {
					fmt.Fprintf(a.stderr, "%s: %q matches no party and none comes close; add it as a party of its own\n", s.Pos, s.Name)
					continue
				}
				matched++
				fmt.Fprintf(a.stderr, "%s: %q -> %s\n", s.Pos, s.Name, s.Party)
			}
			fmt.Fprintf(a.stderr, "%d unknown option name(s), %d with a suggestion\n", len(sugg), matched)
			if patch == "" {
				return nil
			}
			if out == "" {
				_, err = fmt.Fprint(a.stdout, patch)
				return err
			}
			if err := os.WriteFile(out, []byte(patch), 0o644); err != nil {
				return &exitError{code: ExitInternal, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the patch to this file instead of stdout")
	return cmd
}
