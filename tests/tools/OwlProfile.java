// The OWL API's OWL 2 DL profile check on RDF files read as one ontology, one violation a line.
// Run as a single-file program: java -cp '/usr/share/java/*' OwlProfile.java FILE...
// (Debian's libowlapi-java, which `make system-deps` installs).
import java.io.File;
import java.util.TreeSet;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlProfile {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology merged = manager.createOntology(IRI.create("urn:minekg:profile-check"));
        for (String path : args) {
            manager.addAxioms(merged, manager.loadOntologyFromOntologyDocument(new File(path)).axioms());
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(merged);
        TreeSet<String> lines = new TreeSet<>();
        for (OWLProfileViolation violation : report.getViolations()) {
            lines.add(violation.toString().replace('\n', ' '));
        }
        System.out.println("axioms " + merged.getAxiomCount());
        for (String line : lines) {
            System.out.println(line);
        }
    }
}
