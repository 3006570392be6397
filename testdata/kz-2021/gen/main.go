// Command gen writes protocol-wide.xlsx, the wide Russian-language shape of
// the Majilis 2021 national protocol: a title row, a blank row, a header
// row with one column per party (and its percent), and one row of figures.
// Run it from the repository root: go run ./testdata/kz-2021/gen
package main

import (
	"log"

	"github.com/xuri/excelize/v2"
)

func main() {
	f := excelize.NewFile()
	defer f.Close()
	sh := "Итоги"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		log.Fatal(err)
	}
	rows := [][]any{
		{"Итоги голосования на выборах депутатов Мажилиса Парламента Республики Казахстан 10 января 2021 года"},
		{},
		{"Наименование", "Число избирателей, внесенных в списки", "Число избирателей, принявших участие в голосовании",
			"Число недействительных бюллетеней", "Число действительных бюллетеней",
			"Партия «Nur Otan»", "%", "ДПК «Ақ жол»", "%", "«Народная партия Казахстана»", "%",
			"НДПП «Ауыл»", "%", "Партия «Adal»", "%"},
		{"Республика Казахстан", 11919241, 7539280, 297718, 7241562,
			5148074, 71.09, 792828, 10.95, 659019, 9.10, 383023, 5.29, 258618, 3.57},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &r); err != nil {
			log.Fatal(err)
		}
	}
	if err := f.SaveAs("testdata/kz-2021/protocol-wide.xlsx"); err != nil {
		log.Fatal(err)
	}
}
