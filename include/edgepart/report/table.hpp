#pragma once
// A plain-text table for terminals: columns sized to their content, numbers right-aligned.
#include <string>
#include <vector>

namespace edgepart::report {

class TextTable {
public:
  enum class Align { left, right };
  explicit TextTable(std::vector<std::string> headers, std::vector<Align> align = {});
  void add_row(std::vector<std::string> cells);
  void add_separator();
  std::string render() const;

private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;  // an empty row is a separator
};

// Quotes a CSV field when it needs it (RFC 4180).
std::string csv_field(const std::string& text);
std::string csv_row(const std::vector<std::string>& fields);

// Human figures: 15.47G, 138.4M, 1.2k; bytes as KiB/MiB.
std::string si(double value, int digits = 2);
std::string bytes_text(double bytes);
// `v` with `digits` decimals ("%.*f"), except that a value that rounds to zero is written without
// a sign: "0.0", never "-0.0" (printf keeps the sign of -0.04).
std::string fixed_text(double v, int digits);
// A ratio as "1.53x": two decimals, or two significant digits below 0.1 ("0.0004x", not "0.00x").
std::string ratio_text(double ratio);

}  // namespace edgepart::report
