//! The provider binary: Terraform starts it; it hands over to the go-plugin transport.

fn main() {
    eprintln!(
        "terraform-provider-zenlayer {}: not wired yet",
        tpz::VERSION
    );
    std::process::exit(1);
}
