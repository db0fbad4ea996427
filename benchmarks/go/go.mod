module lpj-go-baseline

go 1.19
