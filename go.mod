module ward

go 1.26
