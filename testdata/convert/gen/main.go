// Command gen writes the workbook fixture of testdata/convert: a regional
// protocol laid out as commissions print it, with a title row, a two-row
// header of merged cells (each party over its count and percent columns),
// a row of column numbers, a total row and a footnote. Its figures are
// made up; the test of `tally convert` checks the totals below.
//
//	go run ./testdata/convert/gen
package main

import (
	"log"

	"github.com/xuri/excelize/v2"
)

func main() {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Результаты"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		log.Fatal(err)
	}
	set := func(cell string, v any) {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			log.Fatal(err)
		}
	}
	merge := func(a, b string) {
		if err := f.MergeCell(sheet, a, b); err != nil {
			log.Fatal(err)
		}
	}
	set("A1", "Результаты голосования по избирательным участкам Энского района")
	merge("A1", "I1")
	set("A3", "Номер УИК")
	merge("A3", "A4")
	set("B3", "Число избирателей, включённых в список")
	merge("B3", "B4")
	set("C3", "Число действительных бюллетеней")
	merge("C3", "C4")
	for i, p := range []struct{ name, from, to string }{{"Партия «Восход»", "D", "E"}, {"Партия «Рассвет»", "F", "G"}, {"Партия «Полдень»", "H", "I"}} {
		_ = i
		set(p.from+"3", p.name)
		merge(p.from+"3", p.to+"3")
		set(p.from+"4", "абс.")
		set(p.to+"4", "%")
	}
	for c, col := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "I"} {
		set(col+"5", c+1)
	}
	rows := [][]any{
		{"УИК №101", 1000, 700, 350, 50.0, 210, 30.0, 140, 20.0},
		{"УИК №102", 800, 500, 200, 40.0, 200, 40.0, 100, 20.0},
		{"УИК №103", 1200, 900, 450, 50.0, 270, 30.0, 180, 20.0},
		{"Всего", 3000, 2100, 1000, 47.62, 680, 32.38, 420, 20.0},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 6+i)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			log.Fatal(err)
		}
	}
	set("A11", "Примечание: проценты от числа действительных бюллетеней")
	if err := f.SaveAs("testdata/convert/ru-uik-merged.xlsx"); err != nil {
		log.Fatal(err)
	}
}
