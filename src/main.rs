fn main() {
    std::process::exit(signoff::entry::main(signoff::commands::system_clock()));
}
