package prowler

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// synthChecks are real-shaped Prowler checks with the HIPAA and SOC 2 ids
// Prowler lists for them, for synthetic scans (benchmarks, tests).
var synthChecks = []struct {
	id, service, rtype, sev string
	hipaa, soc2             []string
}{
	{"s3_bucket_default_encryption", "s3", "AwsS3Bucket", "Medium", []string{"164_308_a_1_ii_b", "164_312_a_2_iv", "164_312_c_1", "164_312_e_2_ii"}, []string{"cc_6_1", "cc_6_7"}},
	{"s3_bucket_public_access", "s3", "AwsS3Bucket", "Critical", []string{"164_308_a_3_i", "164_308_a_4_ii_a", "164_312_a_1"}, []string{"cc_6_1", "cc_6_6"}},
	{"s3_bucket_server_access_logging_enabled", "s3", "AwsS3Bucket", "Medium", []string{"164_308_a_1_ii_d", "164_312_b"}, []string{"cc_7_2"}},
	{"iam_root_mfa_enabled", "iam", "AwsIamUser", "Critical", []string{"164_308_a_3_ii_a", "164_312_d"}, []string{"cc_6_1", "cc_6_2"}},
	{"iam_user_mfa_enabled_console_access", "iam", "AwsIamUser", "High", []string{"164_312_a_1", "164_312_d"}, []string{"cc_6_1", "cc_6_2"}},
	{"iam_rotate_access_key_90_days", "iam", "AwsIamUser", "Medium", []string{"164_308_a_3_ii_c", "164_308_a_4_ii_c"}, []string{"cc_6_2", "cc_6_3"}},
	{"iam_password_policy_minimum_length_14", "iam", "AwsAccount", "Medium", []string{"164_308_a_5_ii_d"}, []string{"cc_6_1"}},
	{"cloudtrail_multi_region_enabled", "cloudtrail", "AwsCloudTrailTrail", "High", []string{"164_308_a_1_ii_d", "164_312_b", "164_308_a_6_ii"}, []string{"cc_2_1", "cc_7_2", "cc_7_3"}},
	{"cloudtrail_log_file_validation_enabled", "cloudtrail", "AwsCloudTrailTrail", "Medium", []string{"164_312_c_1", "164_312_c_2", "164_312_b"}, []string{"cc_7_1"}},
	{"guardduty_is_enabled", "guardduty", "AwsGuardDutyDetector", "Medium", []string{"164_308_a_1_ii_a", "164_308_a_5_ii_c", "164_308_a_8"}, []string{"cc_3_2", "cc_7_2"}},
	{"rds_instance_backup_enabled", "rds", "AwsRdsDbInstance", "Medium", []string{"164_308_a_7_i", "164_308_a_7_ii_a", "164_308_a_7_ii_b", "164_312_a_2_ii"}, []string{"cc_a_1_2", "cc_7_5"}},
	{"rds_instance_storage_encrypted", "rds", "AwsRdsDbInstance", "Medium", []string{"164_312_a_2_iv", "164_312_e_2_ii"}, []string{"cc_6_1"}},
	{"ec2_ebs_volume_encryption", "ec2", "AwsEc2Volume", "Medium", []string{"164_312_a_2_iv", "164_312_c_1"}, []string{"cc_6_1", "cc_c_1_1"}},
	{"ec2_instance_managed_by_ssm", "ec2", "AwsEc2Instance", "Medium", []string{"164_308_a_5_ii_b"}, []string{"cc_3_2", "cc_7_1"}},
	{"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "ec2", "AwsEc2SecurityGroup", "High", []string{"164_312_e_1"}, []string{"cc_6_6"}},
	{"vpc_flow_logs_enabled", "vpc", "AwsEc2Vpc", "Medium", []string{"164_308_a_1_ii_d", "164_312_b"}, []string{"cc_7_2"}},
	{"kms_cmk_rotation_enabled", "kms", "AwsKmsKey", "Medium", []string{"164_312_a_2_iv"}, []string{"cc_6_1"}},
	{"elb_ssl_listeners", "elb", "AwsElbLoadBalancer", "Medium", []string{"164_312_e_1", "164_312_e_2_i"}, []string{"cc_6_7"}},
	{"securityhub_enabled", "securityhub", "AwsSecurityHubHub", "Medium", []string{"164_308_a_1_ii_d", "164_308_a_6_i"}, []string{"cc_4_2", "cc_7_2"}},
	{"account_security_contact_information_is_registered", "account", "Other", "Medium", nil, nil},
}

var synthRegions = []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}

type synthFinding struct {
	Message  string `json:"message"`
	Metadata struct {
		EventCode string `json:"event_code"`
		Product   struct {
			Name       string `json:"name"`
			UID        string `json:"uid"`
			VendorName string `json:"vendor_name"`
			Version    string `json:"version"`
		} `json:"product"`
		Profiles  []string `json:"profiles"`
		TenantUID string   `json:"tenant_uid"`
		Version   string   `json:"version"`
	} `json:"metadata"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	Status       string `json:"status"`
	StatusCode   string `json:"status_code"`
	StatusDetail string `json:"status_detail"`
	StatusID     int    `json:"status_id"`
	Unmapped     struct {
		RelatedURL string              `json:"related_url"`
		Categories []string            `json:"categories"`
		DependsOn  []string            `json:"depends_on"`
		RelatedTo  []string            `json:"related_to"`
		Notes      string              `json:"notes"`
		Compliance map[string][]string `json:"compliance"`
	} `json:"unmapped"`
	ActivityName string `json:"activity_name"`
	ActivityID   int    `json:"activity_id"`
	FindingInfo  struct {
		CreatedTime   int64    `json:"created_time"`
		CreatedTimeDt string   `json:"created_time_dt"`
		Desc          string   `json:"desc"`
		ProductUID    string   `json:"product_uid"`
		Title         string   `json:"title"`
		Types         []string `json:"types"`
		UID           string   `json:"uid"`
	} `json:"finding_info"`
	Resources []struct {
		CloudPartition string            `json:"cloud_partition"`
		Region         string            `json:"region"`
		Data           map[string]any    `json:"data"`
		Group          map[string]string `json:"group"`
		Labels         []string          `json:"labels"`
		Name           string            `json:"name"`
		Type           string            `json:"type"`
		UID            string            `json:"uid"`
	} `json:"resources"`
	CategoryName string `json:"category_name"`
	CategoryUID  int    `json:"category_uid"`
	ClassName    string `json:"class_name"`
	ClassUID     int    `json:"class_uid"`
	Cloud        struct {
		Account struct {
			Name   string   `json:"name"`
			Type   string   `json:"type"`
			TypeID int      `json:"type_id"`
			UID    string   `json:"uid"`
			Labels []string `json:"labels"`
		} `json:"account"`
		Org      map[string]string `json:"org"`
		Provider string            `json:"provider"`
		Region   string            `json:"region"`
	} `json:"cloud"`
	Remediation struct {
		Desc       string   `json:"desc"`
		References []string `json:"references"`
	} `json:"remediation"`
	RiskDetails string `json:"risk_details"`
	Time        int64  `json:"time"`
	TimeDt      string `json:"time_dt"`
	TypeUID     int    `json:"type_uid"`
	TypeName    string `json:"type_name"`
}

// WriteSynthetic writes a Prowler OCSF JSON array of realistic findings
// (about 2.5 KiB each, Prowler's own layout and field set) until at least
// size bytes are written, and returns how many findings it wrote. seed
// makes the file reproducible; at is the scan time.
func WriteSynthetic(w io.Writer, size int64, seed uint64, at time.Time) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var written int64
	write := func(b []byte) error {
		n, err := bw.Write(b)
		written += int64(n)
		return err
	}
	if err := write([]byte("[\n")); err != nil {
		return 0, err
	}
	sevID := map[string]int{"Informational": 1, "Low": 2, "Medium": 3, "High": 4, "Critical": 5}
	n := 0
	for written < size || n == 0 {
		c := synthChecks[rng.IntN(len(synthChecks))]
		account := fmt.Sprintf("%012d", 100000000000+rng.IntN(40))
		region := synthRegions[rng.IntN(len(synthRegions))]
		res := fmt.Sprintf("%s-%06d", c.service, rng.IntN(1_000_000))
		var f synthFinding
		f.Metadata.EventCode = c.id
		f.Metadata.Product.Name, f.Metadata.Product.UID, f.Metadata.Product.VendorName, f.Metadata.Product.Version = "Prowler", "prowler", "Prowler", "5.4.0"
		f.Metadata.Profiles, f.Metadata.Version = []string{"cloud", "datetime"}, "1.4.0"
		f.Severity, f.SeverityID = c.sev, sevID[c.sev]
		f.Status, f.StatusID = "New", 1
		switch r := rng.IntN(10); {
		case c.hipaa == nil:
			f.StatusCode = "MANUAL"
		case r < 3:
			f.StatusCode = "FAIL"
		default:
			f.StatusCode = "PASS"
		}
		f.StatusDetail = fmt.Sprintf("%s %s in account %s: %s.", c.rtype, res, account, map[string]string{"FAIL": "does not comply", "PASS": "complies", "MANUAL": "needs a manual review"}[f.StatusCode])
		f.Message = f.StatusDetail
		f.Unmapped.Categories, f.Unmapped.DependsOn, f.Unmapped.RelatedTo = []string{}, []string{}, []string{}
		f.Unmapped.RelatedURL = "https://docs.aws.amazon.com/" + c.service + "/latest/userguide/"
		f.Unmapped.Compliance = map[string][]string{"CIS-3.0": {fmt.Sprintf("%d.%d", 1+rng.IntN(5), 1+rng.IntN(20))},
			"AWS-Foundational-Security-Best-Practices": {c.service}, "NIST-800-53-Revision-5": {"ac_2_1", "au_6_1", "sc_28"}}
		if c.hipaa != nil {
			f.Unmapped.Compliance["HIPAA"] = c.hipaa
			f.Unmapped.Compliance["SOC2"] = c.soc2
		}
		f.ActivityName, f.ActivityID = "Create", 1
		f.FindingInfo.CreatedTime = at.Unix()
		f.FindingInfo.CreatedTimeDt = at.UTC().Format("2006-01-02T15:04:05.000000")
		f.FindingInfo.Desc = "Check " + c.id + " on " + c.rtype + " resources."
		f.FindingInfo.ProductUID, f.FindingInfo.Title, f.FindingInfo.Types = "prowler", f.FindingInfo.Desc, []string{c.service}
		f.FindingInfo.UID = fmt.Sprintf("prowler-aws-%s-%s-%s-%s-%d", c.id, account, region, res, n)
		f.Resources = make([]struct {
			CloudPartition string            `json:"cloud_partition"`
			Region         string            `json:"region"`
			Data           map[string]any    `json:"data"`
			Group          map[string]string `json:"group"`
			Labels         []string          `json:"labels"`
			Name           string            `json:"name"`
			Type           string            `json:"type"`
			UID            string            `json:"uid"`
		}, 1)
		r := &f.Resources[0]
		r.CloudPartition, r.Region, r.Name, r.Type, r.Labels = "aws", region, res, c.rtype, []string{}
		r.UID = fmt.Sprintf("arn:aws:%s:%s:%s:%s", c.service, region, account, res)
		r.Data = map[string]any{"details": "", "metadata": map[string]any{"arn": r.UID, "name": res, "region": region, "tags": []string{}}}
		r.Group = map[string]string{"name": c.service}
		f.CategoryName, f.CategoryUID, f.ClassName, f.ClassUID = "Findings", 2, "Detection Finding", 2004
		f.Cloud.Account.Name, f.Cloud.Account.Type, f.Cloud.Account.TypeID, f.Cloud.Account.UID, f.Cloud.Account.Labels = "acct-"+account[8:], "AWS Account", 10, account, []string{}
		f.Cloud.Org, f.Cloud.Provider, f.Cloud.Region = map[string]string{"name": "", "uid": ""}, "aws", region
		f.Remediation.Desc = "Follow the service documentation to bring " + res + " into line with the check " + c.id + "."
		f.Remediation.References = []string{"https://docs.prowler.com/checks/aws/" + c.service + "/" + c.id}
		f.RiskDetails = "A resource that fails " + c.id + " weakens the protection of the data it holds or carries; attackers and mistakes both find such gaps."
		f.Time, f.TimeDt = at.Unix(), f.FindingInfo.CreatedTimeDt
		f.TypeUID, f.TypeName = 200401, "Detection Finding: Create"
		b, err := json.MarshalIndent(f, "  ", "  ")
		if err != nil {
			return n, err
		}
		if n > 0 {
			if err := write([]byte(",\n")); err != nil {
				return n, err
			}
		}
		if err := write([]byte("  ")); err != nil {
			return n, err
		}
		if err := write(b); err != nil {
			return n, err
		}
		n++
	}
	if err := write([]byte("\n]\n")); err != nil {
		return n, err
	}
	return n, bw.Flush()
}
