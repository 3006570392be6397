package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// Every code declared in codes.go is in Codes(), once, and has a doc line.
func TestCodesListsEveryCode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[Code]int{}
	for _, c := range Codes() {
		listed[c]++
	}
	declared := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok {
					continue
				}
				val, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				declared++
				if listed[Code(val)] != 1 {
					t.Errorf("%s (%q) is listed %d times in Codes()", name.Name, val, listed[Code(val)])
				}
				if vs.Doc == nil || len(vs.Doc.List) == 0 {
					t.Errorf("%s has no doc comment", name.Name)
				}
			}
		}
	}
	if declared != len(Codes()) {
		t.Errorf("%d codes declared, %d listed", declared, len(Codes()))
	}
	if !KnownCode(TotalMismatch) || KnownCode("no-such-code") {
		t.Errorf("KnownCode is wrong")
	}
}
